namespace Ipmp.Host.Kernel;

/// <summary>How a moved address is announced: a burst of gratuitous ARPs / unsolicited NAs. One is
/// enough on a healthy LAN; repeats cover a lost frame (bonding's num_grat_arp, keepalived's 5).</summary>
public sealed record AnnouncementSettings(int Count = 3, TimeSpan? Interval = null)
{
    public TimeSpan Spacing => Interval ?? TimeSpan.FromMilliseconds(200);
}
