using System.Net;

namespace Ipmp.Linux.Netlink;

/// <summary>One path of a multipath route (an rtnexthop inside RTA_MULTIPATH).</summary>
/// <param name="Weight">1..256; the kernel stores weight-1 in rtnh_hops.</param>
/// <param name="Flags">RTNH_F_* (e.g. 0x1 DEAD, 0x4 ONLINK, 0x10 LINKDOWN), as reported.</param>
public sealed record RouteNextHop(int InterfaceIndex, IPAddress? Gateway, int Weight = 1, byte Flags = 0);
