using System.Buffers.Binary;
using Ipmp.Lab;
using Ipmp.Linux.Icmp;

namespace Ipmp.Bench.Tests;

/// <summary>The pure parts of the lab's jittery target: echo replies, the queue of pending replies, the delays.</summary>
public sealed class JitterEchoTests
{
    private static byte[] Request(bool v6, ushort id, ushort seq, byte[] payload)
    {
        var icmp = new byte[8 + payload.Length];
        icmp[0] = v6 ? EchoPacket.EchoRequestV6 : EchoPacket.EchoRequestV4;
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), seq);
        payload.CopyTo(icmp, 8);
        if (!v6) IcmpChecksum.Fill(icmp);
        return icmp;
    }

    private static byte[] Ipv4(byte[] icmp, int optionBytes = 0)
    {
        var ihl = 20 + optionBytes;
        var datagram = new byte[ihl + icmp.Length];
        datagram[0] = (byte)(0x40 | ihl / 4);
        datagram[9] = 1;   // ICMP
        icmp.CopyTo(datagram, ihl);
        return datagram;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]   // IP options: the ICMP message starts after the IHL, not at byte 20
    public void An_ipv4_reply_keeps_id_sequence_and_payload_with_a_valid_checksum(int optionBytes)
    {
        var payload = Enumerable.Range(0, 37).Select(i => (byte)(i * 7)).ToArray();   // odd length
        var request = Request(false, 0xBEEF, 0x1234, payload);
        Assert.True(EchoPacket.TryGetRequest(Ipv4(request, optionBytes), false, out var icmp));
        var reply = EchoPacket.Reply(icmp, false);
        Assert.Equal(EchoPacket.EchoReplyV4, reply[0]);
        Assert.Equal(0, reply[1]);
        Assert.Equal(0xBEEF, EchoPacket.Identifier(reply));
        Assert.Equal(0x1234, EchoPacket.Sequence(reply));
        Assert.Equal(payload, reply[8..]);
        Assert.True(IcmpChecksum.IsValid(reply));
    }

    [Fact]
    public void An_ipv6_reply_is_type_129_and_leaves_the_checksum_to_the_kernel()
    {
        var request = Request(true, 7, 9, [1, 2, 3]);
        request[2] = 0xAB;   // whatever the sender's checksum was
        Assert.True(EchoPacket.TryGetRequest(request, true, out var icmp));
        var reply = EchoPacket.Reply(icmp, true);
        Assert.Equal([EchoPacket.EchoReplyV6, 0, 0, 0, 0, 7, 0, 9, 1, 2, 3], reply);
    }

    [Fact]
    public void Only_valid_echo_requests_are_answered()
    {
        var request = Request(false, 1, 2, [5, 6]);
        var corrupt = (byte[])request.Clone();
        corrupt[^1] ^= 0xFF;
        Assert.False(EchoPacket.TryGetRequest(Ipv4(corrupt), false, out _));
        var reply = EchoPacket.Reply(request, false);
        Assert.False(EchoPacket.TryGetRequest(Ipv4(reply), false, out _));        // a reply is not a request
        Assert.False(EchoPacket.TryGetRequest(request[..6], true, out _));        // truncated
        Assert.False(EchoPacket.TryGetRequest(Ipv4(request)[..24], false, out _)); // header but no full echo header
        Assert.False(EchoPacket.TryGetRequest(Request(false, 1, 2, []), true, out _)); // v4 type on a v6 socket
    }

    [Fact]
    public void Pending_replies_leave_in_due_order_so_later_requests_overtake()
    {
        var q = new PendingReplies<string>(capacity: 8);
        Assert.True(q.TryAdd(150, "first, long delay"));
        Assert.True(q.TryAdd(120, "second, short delay"));
        Assert.True(q.TryAdd(120, "third, same due time"));
        Assert.Equal(120, q.NextDue);
        Assert.False(q.TryTakeDue(119, out _, out _));
        Assert.True(q.TryTakeDue(200, out var a, out var dueA));
        Assert.True(q.TryTakeDue(200, out var b, out _));
        Assert.True(q.TryTakeDue(200, out var c, out var dueC));
        Assert.Equal(["second, short delay", "third, same due time", "first, long delay"], [a, b, c]);
        Assert.Equal((120, 150), (dueA, dueC));
        Assert.Null(q.NextDue);
    }

    [Fact]
    public void Pending_replies_are_bounded()
    {
        var q = new PendingReplies<int>(capacity: 2);
        Assert.True(q.TryAdd(1, 1));
        Assert.True(q.TryAdd(2, 2));
        Assert.False(q.TryAdd(0, 3));
        Assert.Equal(2, q.Count);
        Assert.True(q.TryTakeDue(1, out _, out _));
        Assert.True(q.TryAdd(0, 3));
    }

    [Fact]
    public void Jitter_is_uniform_in_range_and_repeats_with_its_seed()
    {
        var a = new UniformJitter(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), seed: 42);
        var b = new UniformJitter(TimeSpan.Zero, TimeSpan.FromMilliseconds(20), seed: 42);
        var xs = Enumerable.Range(0, 20_000).Select(_ => a.Next().TotalMilliseconds).ToArray();
        Assert.Equal(xs.Take(100), Enumerable.Range(0, 100).Select(_ => b.Next().TotalMilliseconds));
        Assert.All(xs, x => Assert.InRange(x, 0.0, 20.0));
        // Each 2 ms tenth of the range holds about a tenth of the draws.
        var buckets = xs.GroupBy(x => Math.Min(9, (int)(x / 2))).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 10), i => Assert.InRange(buckets[i], 1_700, 2_300));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UniformJitter(TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(1), 1));
    }

    [Fact]
    public void Delay_percentiles_come_from_the_histogram()
    {
        var histogram = new long[64];
        histogram[3] = 50;
        histogram[10] = 49;
        histogram[19] = 1;
        var c = new EchoResponderCounters(100, 100, 0, 0, 0, histogram, 0.2);
        Assert.Equal(3, c.DelayPercentileMs(50));
        Assert.Equal(10, c.DelayPercentileMs(99));
        Assert.Equal(19, c.DelayPercentileMs(100));
        Assert.Null((c with { DelayHistogramMs = new long[64] }).DelayPercentileMs(50));
    }
}
