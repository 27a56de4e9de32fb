using System.Net;
using System.Net.Sockets;
using Ipmp.Host.Kernel;
using Ipmp.Linux.Netlink;

namespace Ipmp.Host.Tests;

/// <summary>The route keeper reads an IPv6 multipath route the same whether the kernel dumps it as one route
/// (RTA_MULTIPATH) or as sibling routes, one per next hop.</summary>
public sealed class RouteCoalesceTests
{
    private static RouteInfo V6(string dst, int len, string? gw, int oif, uint? metric, RouteProtocol proto = RouteProtocol.Static) =>
        new(AddressFamily.InterNetworkV6, RouteInfo.MainTable, IPAddress.Parse(dst), len, gw is null ? null : IPAddress.Parse(gw), oif,
            metric, null, RouteScope.Universe, proto, RouteType.Unicast, 0, []);

    [Fact]
    public void Sibling_routes_become_one_multipath_route()
    {
        var routes = new[]
        {
            V6("::", 0, "fe80::1", 2, 1024),
            V6("::", 0, "fe80::1", 3, 1024),
            V6("2001:db8::", 64, null, 2, 1),
        };
        var result = LoadSpreader.Coalesce(routes);
        Assert.Equal(2, result.Count);
        var def = result.Single(r => r.IsDefault);
        Assert.Equal((null, 0, 1024u), (def.Gateway, def.OutputInterface, def.Priority!.Value));
        Assert.Equal([2, 3], def.NextHops.Select(h => h.InterfaceIndex).Order());
        Assert.All(def.NextHops, h => Assert.Equal(IPAddress.Parse("fe80::1"), h.Gateway));
    }

    [Fact]
    public void Different_metrics_router_advertisements_and_ipv4_stay_apart()
    {
        var v4a = new RouteInfo(AddressFamily.InterNetwork, RouteInfo.MainTable, IPAddress.Any, 0, IPAddress.Parse("10.0.0.1"), 2,
            null, null, RouteScope.Universe, RouteProtocol.Static, RouteType.Unicast, 0, []);
        var routes = new[]
        {
            V6("::", 0, "fe80::1", 2, 1024),
            V6("::", 0, "fe80::1", 3, 1025),
            V6("2001:db8:1::", 64, "fe80::2", 2, 1024, RouteProtocol.Ra),
            V6("2001:db8:1::", 64, "fe80::3", 3, 1024, RouteProtocol.Ra),
            v4a,
            v4a with { OutputInterface = 3 },
        };
        Assert.Same(routes, LoadSpreader.Coalesce(routes));
    }
}
