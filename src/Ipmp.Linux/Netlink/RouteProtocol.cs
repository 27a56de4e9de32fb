namespace Ipmp.Linux.Netlink;

/// <summary>rtm_protocol (RTPROT_*): who installed a route. Other values are routing daemons.</summary>
public enum RouteProtocol : byte
{
    Unspecified = 0,
    Redirect = 1,
    Kernel = 2,
    Boot = 3,
    Static = 4,
    Ra = 9,
    Dhcp = 16,
}
