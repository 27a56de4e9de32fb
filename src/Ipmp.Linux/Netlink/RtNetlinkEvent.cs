namespace Ipmp.Linux.Netlink;

public enum RtNetlinkChange
{
    /// <summary>RTM_NEW*: created or changed (carrier and admin changes are RTM_NEWLINK too).</summary>
    New,
    /// <summary>RTM_DEL*: removed (for links: the device is gone, not merely down).</summary>
    Deleted,
}

/// <summary>An event from <see cref="RtNetlinkMonitor"/>.</summary>
public abstract record RtNetlinkEvent;

public sealed record LinkEvent(RtNetlinkChange Change, LinkInfo Link) : RtNetlinkEvent;

public sealed record AddressEvent(RtNetlinkChange Change, AddressInfo Address) : RtNetlinkEvent;

public sealed record RouteEvent(RtNetlinkChange Change, RouteInfo Route) : RtNetlinkEvent;

/// <summary>
/// The kernel dropped events (ENOBUFS: the socket's receive queue was full). State is now unknown; the
/// consumer must re-dump links, addresses and routes.
/// </summary>
public sealed record OverrunEvent : RtNetlinkEvent
{
    public static OverrunEvent Instance { get; } = new();
}
