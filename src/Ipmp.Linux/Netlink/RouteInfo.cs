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

    public bool IsDefault => DestinationPrefixLength == 0;

    public override string ToString() =>
        $"{Destination}/{DestinationPrefixLength} table {Table} via {Gateway?.ToString() ?? "-"} oif {OutputInterface} " +
        $"{Protocol} {Scope} {Type} nexthops {NextHops.Count}";
}
