using System.Net;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

public sealed class RtNetlinkMonitorTests : IDisposable
{
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    /// <summary>Reads events until one matches; the token bounds the wait (no sleeping).</summary>
    private static async Task<T> WaitFor<T>(RtNetlinkMonitor monitor, Func<T, bool> match, TimeSpan? timeout = null) where T : RtNetlinkEvent
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        await foreach (var ev in monitor.ReadAllAsync(cts.Token))
            if (ev is T t && match(t)) return t;
        throw new InvalidOperationException("unreachable");
    }

    [Fact]
    public async Task Carrier_loss_and_return_arrive_as_link_events()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsLowerUp, "h0 lower up");
        using var monitor = _lab.HostNs.Run(() => RtNetlinkMonitor.Create());

        _lab.InPeer("link", "set", "p0", "down");
        var down = await WaitFor<LinkEvent>(monitor, e => e.Link.Index == h0.Index && e.Link.Carrier == false);
        Assert.Equal(RtNetlinkChange.New, down.Change); // carrier changes are RTM_NEWLINK, not DELLINK
        Assert.True(down.Link.IsUp);
        Assert.False(down.Link.IsLowerUp || down.Link.IsRunning);
        // LOWERLAYERDOWN, or DOWN when the veth's ifindex equals its peer's (iflink) in the other namespace.
        Assert.True(down.Link.OperState is OperationalState.LowerLayerDown or OperationalState.Down, down.Link.OperState.ToString());

        _lab.InPeer("link", "set", "p0", "up");
        var up = await WaitFor<LinkEvent>(monitor, e => e.Link.Index == h0.Index && e.Link.OperState == OperationalState.Up);
        Assert.True(up.Link.IsLowerUp && up.Link.IsRunning && up.Link.Carrier == true);
        Assert.Equal(0, monitor.Counters.MalformedMessages);
    }

    [Fact]
    public async Task Address_and_route_changes_arrive_as_events()
    {
        using var client = _lab.HostClient();
        var h1 = await client.Link("h1");
        using var monitor = _lab.HostNs.Run(() => RtNetlinkMonitor.Create());
        var v6 = IPAddress.Parse("2001:db8:77::31");
        await client.AddAddressAsync(h1.Index, v6, 64, new AddressOptions { NoDad = true });
        var added = await WaitFor<AddressEvent>(monitor, e => e.Address.Address.Equals(v6));
        Assert.Equal(RtNetlinkChange.New, added.Change);
        await client.AddRouteAsync(new RouteSpec { Destination = IPAddress.Parse("10.98.0.0"), PrefixLength = 16, Gateway = NetLab.PeerV4 });
        var route = await WaitFor<RouteEvent>(monitor, e => e.Route.Destination.Equals(IPAddress.Parse("10.98.0.0")));
        Assert.Equal(NetLab.PeerV4, route.Route.Gateway);
        _lab.InHost("link", "del", "h1");
        var gone = await WaitFor<LinkEvent>(monitor, e => e.Link.Index == h1.Index && e.Change == RtNetlinkChange.Deleted);
        Assert.Equal("h1", gone.Link.Name);
    }

    [Fact]
    public async Task A_full_receive_queue_surfaces_as_an_Overrun_and_reading_continues()
    {
        using var client = _lab.HostClient();
        var h0 = await client.Link("h0");
        // A tiny buffer, not read while 300 addresses are added: the kernel must drop notifications.
        using var monitor = _lab.HostNs.Run(() => RtNetlinkMonitor.Create(RtNetlinkGroups.IPv4Address, receiveBufferSize: 1024));
        for (var i = 0; i < 300; i++)
            await client.AddAddressAsync(h0.Index, new IPAddress([10, 78, (byte)(i / 250), (byte)(1 + i % 250)]), 32);

        await WaitFor<OverrunEvent>(monitor, _ => true);
        Assert.True(monitor.Counters.DiscardedDatagrams > 0);
        // After the overrun the socket is clear again: the very next change is delivered.
        var marker = IPAddress.Parse("10.79.0.1");
        await client.AddAddressAsync(h0.Index, marker, 32);
        await WaitFor<AddressEvent>(monitor, e => e.Address.Address.Equals(marker));
    }
}
