using System.Net;

namespace Ipmp.Linux.Netlink;

/// <summary>A route to add or delete. Either <see cref="Gateway"/>/<see cref="OutputInterface"/> or <see cref="NextHops"/>.</summary>
public sealed record RouteSpec
{
    public required IPAddress Destination { get; init; }
    public required int PrefixLength { get; init; }
    public IPAddress? Gateway { get; init; }
    public int OutputInterface { get; init; }
    public uint Table { get; init; } = RouteInfo.MainTable;
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Static;
    /// <summary>Null: link scope for a gatewayless single-path route, universe otherwise (what ip(8) does).</summary>
    public RouteScope? Scope { get; init; }
    public RouteType Type { get; init; } = RouteType.Unicast;
    public uint? Priority { get; init; }
    public IPAddress? PreferredSource { get; init; }
    /// <summary>Multipath (RTA_MULTIPATH): every path with its interface, gateway and weight.</summary>
    public IReadOnlyList<RouteNextHop>? NextHops { get; init; }
    /// <summary>RTA_NH_ID: route through a nexthop object (or group) instead of <see cref="Gateway"/>,
    /// <see cref="OutputInterface"/> or <see cref="NextHops"/>. IPv6 takes device-only multipath only this way.</summary>
    public uint? NextHopId { get; init; }
}
