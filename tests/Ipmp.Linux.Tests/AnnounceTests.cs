using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Announce;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

public sealed class AnnounceTests : IDisposable
{
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private static string Mac(LinkInfo link) =>
        string.Join(":", link.HardwareAddress!.GetAddressBytes().Select(b => b.ToString("x2")));

    private string PeerNeighbour(string address) => _lab.InPeer("neigh", "show", address, "dev", "br0");

    [Fact]
    public async Task Gratuitous_arp_updates_the_peers_neighbour_cache_and_is_seen_on_the_wire()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsRunning, "h0 running");
        // The peer caches 10.77.0.50 at a stale MAC, as if the address had lived on another NIC.
        _lab.InPeer("neigh", "replace", "10.77.0.50", "lladdr", "02:00:00:00:00:99", "dev", "br0", "nud", "stale");
        using var capture = _lab.PeerNs.Run(() =>
        {
            var s = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)BinaryPrimitives.ReverseEndianness((ushort)0x0003));
            s.Bind(new PacketEndPoint(int.Parse(_lab.InPeer("-o", "link", "show", "p0").Split(':')[0]), 0x0003));
            return s;
        });

        _lab.HostNs.Run(() => GratuitousArp.Send(h0.Index, h0.HardwareAddress!, IPAddress.Parse("10.77.0.50")));

        await Eventually.Until(() => PeerNeighbour("10.77.0.50"), s => s.Contains(Mac(h0)), "peer ARP entry updated");

        // The frame on p0: broadcast, EtherType ARP, request with sender == target == 10.77.0.50.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var frame = new byte[1600];
        while (true)
        {
            var n = await capture.ReceiveAsync(frame, SocketFlags.None, cts.Token);
            if (n < 42 || BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) != 0x0806) continue;
            Assert.All(frame[..6], b => Assert.Equal(0xFF, b));
            Assert.Equal(h0.HardwareAddress!.GetAddressBytes(), frame[6..12]);
            Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(20)));
            Assert.Equal(frame[28..32], frame[38..42]);
            Assert.Equal(IPAddress.Parse("10.77.0.50").GetAddressBytes(), frame[28..32]);
            break;
        }
    }

    [Fact]
    public async Task Unsolicited_neighbour_advertisement_updates_the_peers_neighbour_cache()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsRunning, "h0 running");
        var address = IPAddress.Parse("2001:db8:77::50");
        await client.AddAddressAsync(h0.Index, address, 64, new AddressOptions { NoDad = true });
        _lab.InPeer("neigh", "replace", "2001:db8:77::50", "lladdr", "02:00:00:00:00:99", "dev", "br0", "nud", "stale");

        _lab.HostNs.Run(() => UnsolicitedNeighborAdvertisement.Send(h0.Index, h0.HardwareAddress!, address));

        await Eventually.Until(() => PeerNeighbour("2001:db8:77::50"), s => s.Contains(Mac(h0)), "peer neighbour entry updated");
    }

    [Fact]
    public void Packets_have_the_wire_layout()
    {
        var mac = new System.Net.NetworkInformation.PhysicalAddress([2, 1, 2, 3, 4, 5]);
        var arp = GratuitousArp.Build(mac, IPAddress.Parse("192.0.2.7"));
        Assert.Equal(28, arp.Length);
        Assert.Equal(new byte[] { 0, 1, 8, 0, 6, 4, 0, 1, 2, 1, 2, 3, 4, 5, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 192, 0, 2, 7 }, arp);
        var na = UnsolicitedNeighborAdvertisement.Build(mac, IPAddress.Parse("2001:db8::7"));
        Assert.Equal((136, 0x20, 2, 1), (na[0], na[4], na[24], na[25]));
        Assert.Equal(mac.GetAddressBytes(), na[26..32]);
    }
}
