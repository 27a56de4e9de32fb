using System.Net;

namespace Ipmp.Linux.Icmp;

/// <summary>One received ICMP/ICMPv6 message, written to the caller's buffer.</summary>
/// <param name="Length">Bytes of ICMP message in the buffer (the IPv4 header is stripped).</param>
/// <param name="Source">The sender; IPv6 link-local sources carry the arrival ifindex as ScopeId.</param>
/// <param name="InterfaceIndex">The arrival interface (IP_PKTINFO / IPV6_PKTINFO); 0 if not reported.</param>
/// <param name="Destination">The address the packet was sent to (e.g. our test address or a multicast group); null if not reported.</param>
/// <param name="TimestampNanoseconds">SCM_TIMESTAMPNS: kernel receive time, CLOCK_REALTIME, ns since the Unix epoch; 0 if missing.</param>
/// <param name="HopLimit">IPv4 TTL (from the header) or IPv6 hop limit (IPV6_HOPLIMIT); -1 if not known.</param>
/// <param name="Truncated">The message did not fit the buffer (MSG_TRUNC); <paramref name="Length"/> is what was kept.</param>
public readonly record struct IcmpReceived(
    int Length,
    IPAddress Source,
    int InterfaceIndex,
    IPAddress? Destination,
    long TimestampNanoseconds,
    int HopLimit,
    bool Truncated)
{
    public bool HasTimestamp => TimestampNanoseconds != 0;

    /// <summary>The kernel timestamp as a wall-clock time; null if missing.</summary>
    public DateTimeOffset? Timestamp => HasTimestamp
        ? DateTimeOffset.UnixEpoch.AddTicks(TimestampNanoseconds / 100)
        : null;
}
