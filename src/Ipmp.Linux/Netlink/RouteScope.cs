namespace Ipmp.Linux.Netlink;

/// <summary>rt_scope_t (RT_SCOPE_*), used by both routes (rtm_scope) and addresses (ifa_scope).</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}
