using System.Collections.Immutable;
using System.Net;

namespace Ipmp.Core.Status;

/// <summary>
/// One consistent picture of the daemon's state, as ipmpstat shows it. Every list is already in display
/// order (illumos order: groups and their members newest first, the anonymous group last, addresses in
/// reverse scan order), so a formatter prints rows as they come.
/// </summary>
public sealed record IpmpSnapshot(
    ImmutableArray<GroupStatus> Groups,
    ImmutableArray<InterfaceStatus> Interfaces,
    ImmutableArray<AddressStatus> Addresses)
{
    public static IpmpSnapshot Empty { get; } = new([], [], []);
}

public enum GroupState { Ok, Failed, Degraded }

/// <summary>A group row of <c>ipmpstat -g</c>. The anonymous group has empty names.</summary>
/// <param name="Name">The group name (GROUPNAME); empty for the anonymous group.</param>
/// <param name="IpmpInterfaceName">The IPMP interface name (GROUP); empty for the anonymous group.</param>
/// <param name="FailureDetectionTime">The group's current (possibly raised) FDT; null when no member probes.</param>
/// <param name="Interfaces">Members in display order (newest first).</param>
public sealed record GroupStatus(
    string Name,
    string IpmpInterfaceName,
    GroupState State,
    TimeSpan? FailureDetectionTime,
    ImmutableArray<string> Interfaces,
    ulong Signature)
{
    public bool IsAnonymous => Name.Length == 0;
}

public enum InterfaceState { Ok, Failed, Offline, Unknown }
public enum InterfaceType { Standby, Normal }
public enum LinkState { Up, Down, Unknown }
public enum ProbeState { Ok, Failed, Unknown, Disabled }
/// <summary>Transitive: link-layer probes to other members (Solaris 11 ipmpstat -t MODE "transitive").</summary>
public enum TargetMode { Disabled, Routes, Multicast, Transitive }

[Flags]
public enum InterfaceFlags
{
    None = 0,
    Inactive = 0x1,
    HwAddrDup = 0x2,
    Active = 0x4,
    /// <summary>No UP address on the interface (FLAGS letter d).</summary>
    Down = 0x8,
    /// <summary>Nominated for IPv4 multicast (letter m).</summary>
    V4Multicast = 0x10,
    /// <summary>Nominated for IPv4 broadcast (letter b).</summary>
    V4Broadcast = 0x20,
    /// <summary>Nominated for IPv6 multicast (letter M).</summary>
    V6Multicast = 0x40,
}

/// <summary>Probe targets of one address family of one interface (<c>ipmpstat -t</c>).</summary>
/// <param name="TestAddress">Null when this family has no test address.</param>
/// <param name="Targets">The ACTIVE targets, in firing order starting with the next one to be probed.</param>
/// <param name="Peers">Transitive mode: the members probed, in firing order (Targets is then empty).</param>
public sealed record TargetInfo(
    IPAddress? TestAddress,
    TargetMode Mode,
    ImmutableArray<IPAddress> Targets,
    ImmutableArray<string> Peers = default)
{
    public static TargetInfo Disabled { get; } = new(null, TargetMode.Disabled, []);
    public bool Probing => TestAddress is not null && Mode != TargetMode.Disabled;
}

/// <summary>An interface row of <c>ipmpstat -i</c> and <c>-t</c>.</summary>
/// <param name="Group">The IPMP interface name of its group; empty in the anonymous group.</param>
public sealed record InterfaceStatus(
    string Name,
    string Group,
    InterfaceState State,
    InterfaceType Type,
    LinkState Link,
    ProbeState Probe,
    InterfaceFlags Flags,
    TargetInfo V4,
    TargetInfo V6)
{
    public bool IsActive => (Flags & InterfaceFlags.Active) != 0;
}

public enum AddressState { Up, Down }

/// <summary>A data address row of <c>ipmpstat -a</c>.</summary>
/// <param name="Group">The IPMP interface name of the group.</param>
/// <param name="Inbound">The member the address is bound to; empty when down or unbound.</param>
public sealed record AddressStatus(
    IPAddress Address,
    int PrefixLength,
    AddressState State,
    string Group,
    string Inbound);

public enum ProbeEventState { Sent, Acked, Lost }

/// <summary>
/// One probe-state change (what illumos posts as ESC_ipmp_probe_state; <c>ipmpstat -p</c> shows the ACKED
/// and LOST ones). Times are on the daemon's monotonic clock.
/// </summary>
/// <param name="Start">Round start.</param>
/// <param name="Sent">When the probe left.</param>
/// <param name="AckReceived">Kernel receive time of the reply; null unless acked.</param>
/// <param name="AckProcessed">When the daemon handled the reply; null unless acked.</param>
/// <param name="RttAverage">sa/8 of the target's estimator; null when unknown.</param>
/// <param name="RttDeviation">sv/4 (the mean deviation); null when unknown.</param>
/// <param name="TargetPeer">For a transitive probe, the member it went to (<see cref="Target"/> is then
/// <see cref="IPAddress.None"/>).</param>
public sealed record ProbeEvent(
    ushort Id,
    string Interface,
    ProbeEventState State,
    TimeSpan Start,
    TimeSpan Sent,
    TimeSpan? AckReceived,
    TimeSpan? AckProcessed,
    IPAddress Target,
    TimeSpan? RttAverage,
    TimeSpan? RttDeviation,
    string? TargetPeer = null);
