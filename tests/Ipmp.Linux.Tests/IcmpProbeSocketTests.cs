using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Icmp;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

public sealed class IcmpProbeSocketTests : IDisposable
{
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    /// <summary>The in.mpathd probe layout (20 bytes): type, code, checksum, id, seq, ns timestamp, message type.</summary>
    private static byte[] Probe(bool v6, ushort id, ushort seq)
    {
        var m = new byte[20];
        m[0] = v6 ? (byte)128 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), id);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), seq);
        BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(8), (ulong)System.Diagnostics.Stopwatch.GetTimestamp());
        BinaryPrimitives.WriteUInt32BigEndian(m.AsSpan(16), 0x1234);
        if (!v6) IcmpChecksum.Fill(m);
        return m;
    }

    /// <summary>h0's index and link-local address, and the peer bridge's link-local address, once DAD is done.</summary>
    private async Task<(int H0Index, IPAddress Source, IPAddress Target)> LinkLocalPair()
    {
        using var host = _lab.HostClient();
        using var peer = _lab.PeerClient();
        var h0 = await host.Link("h0");
        var br0 = await peer.Link("br0");
        var source = (await Eventually.Until(() => host.GetAddressesAsync(AddressFamily.InterNetworkV6),
            a => a.Any(x => x.InterfaceIndex == h0.Index && x.Address.IsIPv6LinkLocal && !x.IsTentative), "h0 link-local"))
            .First(x => x.InterfaceIndex == h0.Index && x.Address.IsIPv6LinkLocal).Address;
        var target = (await Eventually.Until(() => peer.GetAddressesAsync(AddressFamily.InterNetworkV6),
            a => a.Any(x => x.InterfaceIndex == br0.Index && x.Address.IsIPv6LinkLocal && !x.IsTentative), "br0 link-local"))
            .First(x => x.InterfaceIndex == br0.Index && x.Address.IsIPv6LinkLocal).Address;
        return (h0.Index, source, target);
    }

    private static async Task<(IcmpReceived Info, byte[] Message)> ReceiveReply(IcmpProbeSocket socket, ushort id)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[1500];
        while (true)
        {
            var r = await socket.ReceiveAsync(buffer, cts.Token);
            if (r.Length >= 8 && BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(4)) == id)
                return (r, buffer[..r.Length]);
        }
    }

    [Fact]
    public async Task Ipv4_echo_to_a_neighbour_is_answered_with_a_kernel_timestamp()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsRunning, "h0 running");
        using var socket = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0.Index, NetLab.H0V4));
        const ushort id = 0x4242;
        var probe = Probe(false, id, 1);
        var before = DateTimeOffset.UtcNow;
        Assert.True(socket.Send(probe, NetLab.PeerV4));
        var (info, reply) = await ReceiveReply(socket, id);

        Assert.Equal(0, reply[0]); // echo reply, IPv4 header stripped
        Assert.True(IcmpChecksum.IsValid(reply));
        Assert.Equal(probe[4..], reply[4..]); // id, seq and payload echoed
        Assert.Equal(NetLab.PeerV4, info.Source);
        Assert.Equal(NetLab.H0V4, info.Destination);
        Assert.Equal(h0.Index, info.InterfaceIndex);
        Assert.Equal(64, info.HopLimit);
        Assert.True(info.HasTimestamp);
        Assert.InRange(info.Timestamp!.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Ipv4_replies_to_another_identifier_are_dropped_by_the_kernel_filter()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsRunning, "h0 running");
        using var filtered = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0.Index, NetLab.H0V4));
        using var unfiltered = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0.Index, NetLab.H0V4));
        filtered.AcceptOnly(0x4242);
        await AssertOnlyOursArrive(filtered, unfiltered, false, NetLab.PeerV4);
    }

    [Fact]
    public async Task Ipv6_replies_to_another_identifier_are_dropped_by_the_kernel_filter()
    {
        var (h0Index, source, target) = await LinkLocalPair();
        using var filtered = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0Index, source));
        using var unfiltered = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0Index, source));
        filtered.AcceptOnly(0x4242);
        await AssertOnlyOursArrive(filtered, unfiltered, true, new IPAddress(target.GetAddressBytes()));
    }

    /// <summary>Someone else's echo (0x1111) goes out before and after ours (0x4242): a raw socket without the
    /// filter gets all three replies; the filtered one gets ours alone.</summary>
    private static async Task AssertOnlyOursArrive(IcmpProbeSocket filtered, IcmpProbeSocket unfiltered, bool v6, IPAddress peer)
    {
        Assert.True(filtered.Send(Probe(v6, 0x1111, 1), peer));
        Assert.True(filtered.Send(Probe(v6, 0x4242, 2), peer));
        Assert.True(filtered.Send(Probe(v6, 0x1111, 3), peer));
        var ids = new List<ushort>();
        var buffer = new byte[1500];
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            while (ids.Count < 3)
            {
                var r = await unfiltered.ReceiveAsync(buffer, cts.Token);
                if (r.Length >= 8) ids.Add(BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(4)));
            }
        Assert.Equal([0x1111, 0x4242, 0x1111], ids);   // all three were answered, in order

        var (_, reply) = await ReceiveReply(filtered, 0x4242);
        Assert.Equal(0x4242, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(4)));
        // The first message the filtered socket had queued was ours, and nothing followed it.
        Assert.False(filtered.TryReceiveNow(buffer, out _), "a reply to another identifier was queued");
    }

    [Fact]
    public async Task Ipv6_echo_to_a_link_local_neighbour_is_answered()
    {
        var (h0Index, source, target) = await LinkLocalPair();

        using var socket = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h0Index, source));
        const ushort id = 0x6666;
        var probe = Probe(true, id, 7);
        Assert.True(socket.Send(probe, new IPAddress(target.GetAddressBytes()))); // scope filled in from the socket
        var (info, reply) = await ReceiveReply(socket, id);

        Assert.Equal(129, reply[0]);
        Assert.Equal(probe[4..], reply[4..]);
        Assert.Equal(target.GetAddressBytes(), info.Source.GetAddressBytes());
        Assert.Equal(h0Index, (int)info.Source.ScopeId);
        Assert.Equal(h0Index, info.InterfaceIndex);
        Assert.Equal(64, info.HopLimit);
        Assert.True(info.HasTimestamp);
    }

    [Fact]
    public async Task Tentative_or_absent_source_address_can_still_be_bound()
    {
        using var client = _lab.HostClient();
        var h1 = await client.Link("h1");
        // FREEBIND: a test address the kernel does not (yet) consider usable.
        using var v4 = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h1.Index, IPAddress.Parse("10.77.0.99")));
        using var v6 = _lab.HostNs.Run(() => IcmpProbeSocket.Create(h1.Index, IPAddress.Parse("2001:db8:77::99")));
        Assert.Equal(AddressFamily.InterNetworkV6, v6.Family);
    }
}
