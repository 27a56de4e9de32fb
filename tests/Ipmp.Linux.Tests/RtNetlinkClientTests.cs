using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

/// <summary>rtnetlink requests against a real kernel, inside throwaway namespaces.</summary>
public sealed class RtNetlinkClientTests : IDisposable
{
    private readonly NetLab _lab = new();
    private readonly RtNetlinkClient _host;

    public RtNetlinkClientTests() => _host = _lab.HostClient();

    public void Dispose()
    {
        _host.Dispose();
        _lab.Dispose();
    }

    private string MacOf(string ns, string dev) =>
        System.Text.RegularExpressions.Regex.Match(Ip.Run("-n", ns, "link", "show", dev), @"link/ether ([0-9a-f:]{17})").Groups[1].Value;

    [Fact]
    public async Task Link_dump_sees_the_veths_with_mac_carrier_flags_and_kind()
    {
        var links = await Eventually.Until(() => _host.GetLinksAsync(),
            ls => ls.Any(l => l.Name == "h0" && l.Carrier == true && l.OperState == OperationalState.Up), "h0 up");
        var h0 = links.Single(l => l.Name == "h0");
        Assert.Equal(MacOf(_lab.Host, "h0"), string.Join(":", h0.HardwareAddress!.GetAddressBytes().Select(b => b.ToString("x2"))));
        Assert.True(h0.IsUp && h0.IsRunning && h0.IsLowerUp && h0.IsMulticast);
        Assert.False(h0.IsLoopback || h0.IsPointToPoint);
        Assert.Equal("veth", h0.Kind);
        var lo = links.Single(l => l.Name == "lo");
        Assert.True(lo.IsLoopback);
        Assert.Contains(links, l => l.Name == "h1");

        // The peer side: p0 is a bridge port, so IFLA_MASTER names br0.
        using var peer = _lab.PeerClient();
        var peerLinks = await peer.GetLinksAsync();
        var br0 = peerLinks.Single(l => l.Name == "br0");
        Assert.Equal("bridge", br0.Kind);
        Assert.Equal(br0.Index, peerLinks.Single(l => l.Name == "p0").MasterIndex);

        // A non-dump GET (no NLMSG_DONE follows; the ACK ends it).
        Assert.Equal("h0", (await _host.GetLinkAsync(h0.Index))!.Name);
        Assert.Null(await _host.GetLinkAsync(999_999));
    }

    [Fact]
    public async Task Address_add_is_acked_readable_and_a_duplicate_is_EEXIST()
    {
        var h0 = await _host.Link("h0");
        var addr = IPAddress.Parse("10.77.0.20");
        await _host.AddAddressAsync(h0.Index, addr, 24, new AddressOptions { Label = "h0:test" });
        var found = (await _host.GetAddressesAsync(AddressFamily.InterNetwork)).Single(a => a.Address.Equals(addr));
        Assert.Equal((h0.Index, 24, "h0:test", RouteScope.Universe), (found.InterfaceIndex, found.PrefixLength, found.Label, found.Scope));
        Assert.Contains("10.77.0.20/24", _lab.InHost("addr", "show", "dev", "h0"));

        var dup = await Assert.ThrowsAsync<NetlinkException>(() => _host.AddAddressAsync(h0.Index, addr, 24));
        Assert.Equal(LinuxErrno.EEXIST, dup.Errno);

        await _host.DeleteAddressAsync(h0.Index, addr, 24);
        Assert.DoesNotContain(await _host.GetAddressesAsync(), a => a.Address.Equals(addr));
        var gone = await Assert.ThrowsAsync<NetlinkException>(() => _host.DeleteAddressAsync(h0.Index, addr, 24));
        Assert.Equal(LinuxErrno.EADDRNOTAVAIL, gone.Errno);
    }

    [Fact]
    public async Task Kernel_error_text_from_extended_ack_is_carried()
    {
        var e = await Assert.ThrowsAsync<NetlinkException>(() =>
            _host.AddAddressAsync(987_654, IPAddress.Parse("10.1.1.1"), 24));
        Assert.Equal(LinuxErrno.ENODEV, e.Errno);
        Assert.False(string.IsNullOrEmpty(e.ExtendedAckMessage));
        Assert.Contains(e.ExtendedAckMessage!, e.Message);
    }

    [Fact]
    public async Task Deprecated_nodad_noprefixroute_ipv6_address_flags_read_back()
    {
        var h0 = await _host.Link("h0");
        var addr = IPAddress.Parse("2001:db8:77::10");
        await _host.AddAddressAsync(h0.Index, addr, 64, new AddressOptions { Deprecated = true, NoDad = true, NoPrefixRoute = true });
        var a = (await _host.GetAddressesAsync(AddressFamily.InterNetworkV6)).Single(x => x.Address.Equals(addr));
        Assert.True(a.IsDeprecated && a.IsNoDad);
        Assert.True(a.Flags.HasFlag(AddressFlags.NoPrefixRoute));
        Assert.False(a.IsTentative);
        Assert.Equal((0u, AddressInfo.Infinite), (a.PreferredLifetime, a.ValidLifetime));
        var shown = _lab.InHost("-6", "addr", "show", "dev", "h0");
        Assert.Contains("deprecated", shown);
        Assert.Contains("nodad", shown);
        // noprefixroute: no connected 2001:db8:77::/64 route on h0.
        Assert.DoesNotContain(await _host.GetRoutesAsync(AddressFamily.InterNetworkV6),
            r => r.OutputInterface == h0.Index && r.DestinationPrefixLength == 64 && r.Destination.Equals(IPAddress.Parse("2001:db8:77::")));
    }

    [Fact]
    public async Task Route_dump_finds_the_default_gateway_and_lookup_agrees()
    {
        var h0 = await _host.Link("h0");
        _lab.InHost("route", "add", "default", "via", "10.77.0.1", "dev", "h0");
        var routes = await _host.GetRoutesAsync();
        var def = routes.Single(r => r.Family == AddressFamily.InterNetwork && r.IsDefault && r.Table == RouteInfo.MainTable);
        Assert.Equal((NetLab.PeerV4, h0.Index, RouteType.Unicast), (def.Gateway, def.OutputInterface, def.Type));
        // Other tables are in the dump too (local table: our own address).
        Assert.Contains(routes, r => r.Table == RouteInfo.LocalTable && r.Type == RouteType.Local && r.Destination.Equals(NetLab.H0V4));
        // The connected route (scope link, proto kernel) for the subnet.
        Assert.Contains(routes, r => r.Protocol == RouteProtocol.Kernel && r.Scope == RouteScope.Link
                                     && r.Destination.Equals(IPAddress.Parse("10.77.0.0")) && r.OutputInterface == h0.Index);

        // ip route get: a non-dump GET answered without NLMSG_DONE.
        var lookup = await _host.LookupRouteAsync(IPAddress.Parse("198.51.100.7"));
        Assert.Equal(NetLab.PeerV4, lookup!.Gateway);
    }

    [Fact]
    public async Task Multipath_route_is_added_read_back_and_deleted()
    {
        var h0 = await _host.Link("h0");
        var h1 = await _host.Link("h1");
        var spec = new RouteSpec
        {
            Destination = IPAddress.Parse("10.99.0.0"),
            PrefixLength = 24,
            NextHops = [new RouteNextHop(h0.Index, NetLab.PeerV4, 1), new RouteNextHop(h1.Index, NetLab.PeerV4, 3)],
        };
        await _host.AddRouteAsync(spec);
        var route = (await _host.GetRoutesAsync(AddressFamily.InterNetwork))
            .Single(r => r.Destination.Equals(spec.Destination) && r.DestinationPrefixLength == 24);
        Assert.Equal([(h0.Index, NetLab.PeerV4, 1), (h1.Index, NetLab.PeerV4, 3)],
            route.NextHops.Select(n => (n.InterfaceIndex, n.Gateway!, n.Weight)).ToArray());
        Assert.Equal((RouteProtocol.Static, RouteInfo.MainTable), (route.Protocol, route.Table));
        var shown = _lab.InHost("route", "show", "10.99.0.0/24");
        Assert.Contains("nexthop via 10.77.0.1 dev h0 weight 1", shown);
        Assert.Contains("nexthop via 10.77.0.1 dev h1 weight 3", shown);

        Assert.Equal(LinuxErrno.EEXIST, (await Assert.ThrowsAsync<NetlinkException>(() => _host.AddRouteAsync(spec))).Errno);
        await _host.DeleteRouteAsync(new RouteSpec { Destination = spec.Destination, PrefixLength = 24 });
        Assert.Equal("", _lab.InHost("route", "show", "10.99.0.0/24").Trim());
    }

    [Fact]
    public async Task Ipv6_multipath_route_and_policy_table_round_trip()
    {
        var h0 = await _host.Link("h0");
        var h1 = await _host.Link("h1");
        var spec = new RouteSpec
        {
            Destination = IPAddress.Parse("2001:db8:99::"),
            PrefixLength = 64,
            Table = 1234,
            NextHops = [new RouteNextHop(h0.Index, IPAddress.Parse("fe80::1")), new RouteNextHop(h1.Index, IPAddress.Parse("fe80::2"))],
        };
        await _host.AddRouteAsync(spec);
        var route = (await _host.GetRoutesAsync(AddressFamily.InterNetworkV6)).Single(r => r.Table == 1234 && r.Destination.Equals(spec.Destination));
        Assert.Equal(new[] { h0.Index, h1.Index }, route.NextHops.Select(n => n.InterfaceIndex).Order().ToArray());
        Assert.Contains(route.NextHops, n => n.Gateway!.Equals(IPAddress.Parse("fe80::2%" + h1.Index)));
        // A single-path route via a link-local gateway: the interface comes from the scope id.
        await _host.AddRouteAsync(new RouteSpec
        {
            Destination = IPAddress.Parse("2001:db8:98::"), PrefixLength = 64, Table = 1234,
            Gateway = IPAddress.Parse("fe80::3%" + h1.Index),
        });
        var single = (await _host.GetRoutesAsync(AddressFamily.InterNetworkV6)).Single(r => r.Table == 1234 && r.DestinationPrefixLength == 64 && r.NextHops.Count == 0);
        Assert.Equal((h1.Index, IPAddress.Parse("fe80::3%" + h1.Index)), (single.OutputInterface, single.Gateway!));

        await _host.DeleteRouteAsync(new RouteSpec { Destination = IPAddress.Parse("2001:db8:98::"), PrefixLength = 64, Table = 1234 });
        await _host.DeleteRouteAsync(new RouteSpec { Destination = spec.Destination, PrefixLength = 64, Table = 1234 });
        Assert.DoesNotContain(await _host.GetRoutesAsync(AddressFamily.InterNetworkV6), r => r.Table == 1234);
    }
}
