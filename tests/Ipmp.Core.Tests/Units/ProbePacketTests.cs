using System.Buffers.Binary;
using Ipmp.Core.Probing;

namespace Ipmp.Core.Tests.Units;

/// <summary>The illumos probe layout (reference 3.3) plus our 8-byte cookie, and what a reply must look like.</summary>
public class ProbePacketTests
{
    private static ProbePacket Probe(bool v6 = false, ProbeKind kind = ProbeKind.Unicast) =>
        new(v6, false, 0x07A3, 0xBEEF, 0x0102030405060708, kind, 0x1122334455667788);

    [Fact]
    public void Ipv4_request_has_the_illumos_layout_then_the_cookie()
    {
        var b = Probe().Encode();
        Assert.Equal(28, b.Length);
        Assert.Equal(8, b[0]);                                                  // echo request
        Assert.Equal(0, b[1]);                                                  // code
        Assert.Equal(0x07A3, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(4)));   // identifier
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(6)));   // sequence
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], b[8..16]);                       // timestamp, big-endian
        Assert.Equal([0x00, 0x00, 0x12, 0x34], b[16..20]);                      // PROBE_UNI
        Assert.Equal([0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], b[20..28]);
        Assert.Equal(0, IcmpChecksum.Compute(b));                              // a valid Internet checksum
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(2)));
    }

    [Fact]
    public void Ipv6_request_leaves_the_checksum_to_the_kernel()
    {
        var b = Probe(v6: true, kind: ProbeKind.Rtt).Encode();
        Assert.Equal(128, b[0]);
        Assert.Equal(0, b[2]);
        Assert.Equal(0, b[3]);
        Assert.Equal([0x00, 0x00, 0x9a, 0xbc], b[16..20]);                      // PROBE_RTT
        Assert.Equal([0x00, 0x00, 0x56, 0x78], Probe(kind: ProbeKind.Multicast).Encode()[16..20]);
    }

    [Fact]
    public void Identifier_is_low_byte_of_run_id_then_low_byte_of_ifindex()
    {
        Assert.Equal(0x3467, ProbePacket.MakeIdentifier(0x1234, 0x567));
        Assert.Equal(0x0702, ProbePacket.MakeIdentifier(7, 2));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void An_echo_reply_decodes_to_what_was_sent(bool v6)
    {
        var sent = Probe(v6);
        var reply = ProbePacket.MakeEchoReply(sent.Encode(), v6);
        Assert.Equal(v6 ? 129 : 0, reply[0]);
        Assert.True(ProbePacket.TryDecodeReply(reply, v6, out var got, out var reason), reason);
        Assert.Equal(sent with { IsReply = true }, got);
    }

    private static byte[] Reply(bool v6 = false) => ProbePacket.MakeEchoReply(Probe(v6).Encode(), v6);

    private static byte[] Resum(byte[] b)
    {
        b[2] = b[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), IcmpChecksum.Compute(b));
        return b;
    }

    private static string Rejection(byte[] b, bool v6 = false)
    {
        Assert.False(ProbePacket.TryDecodeReply(b, v6, out _, out var reason));
        return reason!;
    }

    [Fact]
    public void Short_replies_are_rejected()
    {
        Assert.Equal("probe reply too short: 19 bytes", Rejection(Reply()[..19]));
        // The illumos 20 bytes without our cookie: not one of ours.
        Assert.Equal("probe reply too short: 20 bytes", Rejection(Resum(Reply()[..20])));
    }

    [Fact]
    public void A_request_or_another_icmp_type_is_rejected()
    {
        Assert.Equal("probe reply type: 8", Rejection(Probe().Encode()));
        Assert.Equal("probe reply type: 0", Rejection(Reply(), v6: true));
    }

    [Fact]
    public void A_nonzero_code_is_rejected_with_the_illumos_text_per_family()
    {
        var v4 = Reply();
        v4[1] = 3;
        Assert.Equal("probe reply code 3", Rejection(Resum(v4)));
        var v6 = Reply(v6: true);
        v6[1] = 3;
        Assert.Equal("probe reply code: 3", Rejection(v6, v6: true));
    }

    [Fact]
    public void A_bad_ipv4_checksum_is_rejected()
    {
        var b = Reply();
        b[7] ^= 0x01;
        Assert.Equal("probe reply checksum bad", Rejection(b));
    }

    [Fact]
    public void An_unknown_message_type_is_rejected()
    {
        var b = Reply();
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), 0x1111);
        Assert.Equal("probe reply message type: 0x1111", Rejection(Resum(b)));
    }
}
