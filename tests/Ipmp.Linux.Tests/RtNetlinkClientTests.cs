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

    [Fact]
    public async Task A_table_dump_is_filtered_by_the_kernel()
    {
        var h0 = await _host.Link("h0");
        // 2,000 routes in a policy table (through the batch interface: one process) and one in table 1234.
        NetLab.Batch(_lab.Host, [.. Enumerable.Range(0, 2000).Select(i => $"route add 10.{100 + i / 250}.{i % 250}.0/24 via 10.77.0.1 dev h0 table 100")]);
        _lab.InHost("-6", "route", "add", "2001:db8:55::/64", "dev", "h0", "table", "1234");
        _lab.InHost("route", "add", "10.88.0.0/24", "via", "10.77.0.1", "dev", "h0");
        var unexpected = _host.Counters.UnexpectedMessages;

        var main = await _host.GetRoutesAsync(AddressFamily.Unspecified, RouteInfo.MainTable);
        Assert.All(main, r => Assert.Equal(RouteInfo.MainTable, r.Table));
        Assert.Contains(main, r => r.Destination.Equals(IPAddress.Parse("10.88.0.0")) && r.OutputInterface == h0.Index);
        Assert.Contains(main, r => r.Family == AddressFamily.InterNetworkV6);
        // Nothing had to be dropped here: the kernel (NETLINK_GET_STRICT_CHK) sent only the main table.
        Assert.Equal(unexpected, _host.Counters.UnexpectedMessages);

        Assert.Equal(2000, (await _host.GetRoutesAsync(AddressFamily.InterNetwork, 100)).Count);
        // Above 255 the table is named in RTA_TABLE.
        var t1234 = Assert.Single(await _host.GetRoutesAsync(AddressFamily.Unspecified, 1234));
        Assert.Equal(IPAddress.Parse("2001:db8:55::"), t1234.Destination);
        Assert.Equal(unexpected, _host.Counters.UnexpectedMessages);
        // The old call still dumps every table.
        Assert.True((await _host.GetRoutesAsync()).Count > 2000);
    }

    [Fact]
    public async Task Ipv6_device_only_multipath_is_refused_but_a_nexthop_group_carries_it()
    {
        var h0 = await _host.Link("h0");
        var h1 = await _host.Link("h1");
        var network = IPAddress.Parse("2001:db8:66::");
        // What this kernel says to RTA_MULTIPATH without gateways (the reason for nexthop groups).
        var refused = await Assert.ThrowsAsync<NetlinkException>(() => _host.AddRouteAsync(new RouteSpec
        {
            Destination = network, PrefixLength = 64, Priority = 1,
            NextHops = [new RouteNextHop(h0.Index, null), new RouteNextHop(h1.Index, null)],
        }));
        Assert.Equal(LinuxErrno.EINVAL, refused.Errno);

        await _host.AddNextHopAsync(new NextHopSpec { Id = 901, Family = AddressFamily.InterNetworkV6, OutputInterface = h0.Index });
        await _host.AddNextHopAsync(new NextHopSpec { Id = 902, Family = AddressFamily.InterNetworkV6, OutputInterface = h1.Index });
        await _host.AddNextHopAsync(new NextHopSpec { Id = 910, Group = [new NextHopGroupMember(901), new NextHopGroupMember(902, 3)] });
        await _host.AddRouteAsync(new RouteSpec { Destination = network, PrefixLength = 64, Priority = 1, NextHopId = 910 });

        var nexthops = (await _host.GetNextHopsAsync()).ToDictionary(n => n.Id);
        Assert.Equal((AddressFamily.InterNetworkV6, h0.Index, false), (nexthops[901].Family, nexthops[901].OutputInterface, nexthops[901].IsGroup));
        Assert.Equal([new NextHopGroupMember(901), new NextHopGroupMember(902, 3)], nexthops[910].Group);
        var route = (await _host.GetRoutesAsync(AddressFamily.InterNetworkV6, RouteInfo.MainTable)).Single(r => r.Destination.Equals(network));
        Assert.Equal((910u, 1u), (route.NextHopId, route.Priority));
        Assert.Contains("nhid 910", _lab.InHost("-6", "route", "show", "2001:db8:66::/64"));

        // Replacing the group's members leaves the route alone.
        await _host.AddNextHopAsync(new NextHopSpec { Id = 910, Group = [new NextHopGroupMember(902)] }, replace: true);
        Assert.Equal([new NextHopGroupMember(902)], (await _host.GetNextHopsAsync()).Single(n => n.Id == 910).Group);
        Assert.Equal(910u, (await _host.GetRoutesAsync(AddressFamily.InterNetworkV6, RouteInfo.MainTable)).Single(r => r.Destination.Equals(network)).NextHopId);

        // The kernel drops a nexthop whose device loses carrier, and refuses one while it has none.
        _lab.InPeer("link", "set", "p1", "down");
        await Eventually.Until(() => _host.GetNextHopsAsync(), all => all.All(n => n.Id != 902), "nexthop 902 gone with h1's carrier");
        var noCarrier = await Assert.ThrowsAsync<NetlinkException>(() =>
            _host.AddNextHopAsync(new NextHopSpec { Id = 903, Family = AddressFamily.InterNetworkV6, OutputInterface = h1.Index }));
        Assert.Contains("Carrier", noCarrier.Message);
        _lab.InPeer("link", "set", "p1", "up");

        await _host.DeleteNextHopAsync(901);
        Assert.DoesNotContain(await _host.GetNextHopsAsync(), n => n.Id == 901);
    }

    [Fact]
    public async Task An_ipv6_multipath_route_with_an_appended_hop_is_dumped_as_one_route()
    {
        var h0 = await _host.Link("h0");
        var h1 = await _host.Link("h1");
        // Added as one RTA_MULTIPATH route, then a third hop appended as a separate route (a sibling).
        _lab.InHost("-6", "route", "add", "2001:db8:44::/64", "metric", "7", "nexthop", "via", "fe80::1", "dev", "h0", "nexthop", "via", "fe80::1", "dev", "h1");
        _lab.InHost("-6", "route", "append", "2001:db8:44::/64", "metric", "7", "via", "fe80::2", "dev", "h0");
        var routes = (await _host.GetRoutesAsync(AddressFamily.InterNetworkV6, RouteInfo.MainTable))
            .Where(r => r.Destination.Equals(IPAddress.Parse("2001:db8:44::"))).ToList();
        // This kernel reports siblings as one route with RTA_MULTIPATH (older ones sent one route per sibling).
        var route = Assert.Single(routes);
        Assert.Equal(7u, route.Priority);
        Assert.Equal([(h0.Index, "fe80::1"), (h0.Index, "fe80::2"), (h1.Index, "fe80::1")],
            route.NextHops.Select(n => (n.InterfaceIndex, new IPAddress(n.Gateway!.GetAddressBytes()).ToString())).Order().ToArray());
    }
}
