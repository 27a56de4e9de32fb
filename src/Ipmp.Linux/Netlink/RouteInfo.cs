using System.Net;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>One RTM_NEWROUTE/RTM_DELROUTE, decoded.</summary>
/// <param name="Table">RTA_TABLE when present (tables above 255 exist only there), else rtm_table.</param>
/// <param name="Destination">RTA_DST, or the all-zero address for a default route (prefix length 0).</param>
/// <param name="OutputInterface">RTA_OIF; 0 when absent (e.g. a multipath route: see <see cref="NextHops"/>).</param>
/// <param name="Priority">RTA_PRIORITY (the metric); null when absent.</param>
/// <param name="NextHops">The RTA_MULTIPATH entries; empty for a single-path route.</param>
/// <param name="Flags">rtm_flags (RTM_F_*, RTNH_F_* for single-path routes).</param>
public sealed record RouteInfo(
    AddressFamily Family,
    uint Table,
    IPAddress Destination,
    int DestinationPrefixLength,
    IPAddress? Gateway,
    int OutputInterface,
    uint? Priority,
    IPAddress? PreferredSource,
    RouteScope Scope,
    RouteProtocol Protocol,
    RouteType Type,
    uint Flags,
    IReadOnlyList<RouteNextHop> NextHops)
{
    public const uint MainTable = 254;
    public const uint LocalTable = 255;

    /// <summary>RTA_NH_ID: the route uses a nexthop object (or group) by id; null for a classic route.
    /// With <c>net.ipv4.nexthop_compat_mode=1</c> (the default) the kernel also reports the object's next
    /// hops in <see cref="OutputInterface"/>/<see cref="NextHops"/>; with 0, only the id.</summary>
    public uint? NextHopId { get; init; }

    public bool IsDefault => DestinationPrefixLength == 0;

    public override string ToString() =>
        $"{Destination}/{DestinationPrefixLength} table {Table} via {Gateway?.ToString() ?? "-"} oif {OutputInterface} " +
        $"{Protocol} {Scope} {Type} metric {Priority?.ToString() ?? "-"} nexthops {NextHops.Count}{(NextHopId is { } id ? $" nhid {id}" : "")}";
}
