namespace Ipmp.Linux.Netlink;

/// <summary>Which rtnetlink multicast groups a <see cref="RtNetlinkMonitor"/> joins.</summary>
[Flags]
public enum RtNetlinkGroups
{
    None = 0,
    Link = 1,
    IPv4Address = 2,
    IPv6Address = 4,
    IPv4Route = 8,
    IPv6Route = 16,
    All = Link | IPv4Address | IPv6Address | IPv4Route | IPv6Route,
}
