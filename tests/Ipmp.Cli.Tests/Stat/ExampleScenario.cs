using System.Collections.Immutable;
using System.Net;
using Ipmp.Cli.Stat;
using Ipmp.Core.Status;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>
/// The scenario of the reference's section 7 examples: ipmp0 (net1, net0 active; net2 a STANDBY that is
/// INACTIVE), ipmp1 named grp1 (net4 active; net3 failed with its link down), and the anonymous net5.
/// </summary>
internal static class ExampleScenario
{
    public static IPAddress Ip(string s) => IPAddress.Parse(s);

    public static TimeSpan Ms(double milliseconds) => TimeSpan.FromTicks((long)Math.Round(milliseconds * 10_000));

    public static TargetInfo V4(string test, TargetMode mode, params string[] targets) =>
        new(Ip(test), mode, [.. targets.Select(Ip)]);

    public static InterfaceStatus Interface(
        string name, string group, InterfaceFlags flags,
        InterfaceState state = InterfaceState.Ok, InterfaceType type = InterfaceType.Normal,
        LinkState link = LinkState.Up, ProbeState probe = ProbeState.Ok,
        TargetInfo? v4 = null, TargetInfo? v6 = null) =>
        new(name, group, state, type, link, probe, flags, v4 ?? TargetInfo.Disabled, v6 ?? TargetInfo.Disabled);

    private const InterfaceFlags Nominated =
        InterfaceFlags.Active | InterfaceFlags.V4Multicast | InterfaceFlags.V4Broadcast | InterfaceFlags.V6Multicast;

    public static IpmpSnapshot Snapshot { get; } = new(
        Groups:
        [
            new GroupStatus("grp1", "ipmp1", GroupState.Degraded, TimeSpan.FromSeconds(10), ["net4", "net3"], 7),
            new GroupStatus("ipmp0", "ipmp0", GroupState.Ok, TimeSpan.FromSeconds(10), ["net2", "net1", "net0"], 5),
            new GroupStatus("", "", GroupState.Ok, null, ["net5"], 1),
        ],
        Interfaces:
        [
            Interface("net4", "ipmp1", Nominated, v4: V4("10.1.1.11", TargetMode.Routes, "10.1.1.1")),
            Interface("net3", "ipmp1", InterfaceFlags.None, InterfaceState.Failed, link: LinkState.Down,
                probe: ProbeState.Failed, v4: V4("10.1.1.12", TargetMode.Routes, "10.1.1.1")),
            Interface("net2", "ipmp0", InterfaceFlags.Inactive, type: InterfaceType.Standby,
                v4: V4("192.168.10.13", TargetMode.Multicast, "192.168.10.2", "192.168.10.5", "192.168.10.3")),
            Interface("net1", "ipmp0", Nominated,
                v4: V4("192.168.10.12", TargetMode.Multicast, "192.168.10.5", "192.168.10.3", "192.168.10.2")),
            Interface("net0", "ipmp0", InterfaceFlags.Active, probe: ProbeState.Disabled),
            Interface("net5", "", InterfaceFlags.Active, link: LinkState.Unknown, probe: ProbeState.Disabled),
        ],
        Addresses:
        [
            new AddressStatus(Ip("10.1.1.50"), 24, AddressState.Up, "ipmp1", "net4"),
            new AddressStatus(Ip("fe80::214:4fff:fe21:f0c8"), 10, AddressState.Up, "ipmp0", "net1"),
            new AddressStatus(Ip("192.168.10.52"), 24, AddressState.Down, "ipmp0", ""),
            new AddressStatus(Ip("192.168.10.51"), 24, AddressState.Up, "ipmp0", "net0"),
            new AddressStatus(Ip("192.168.10.50"), 24, AddressState.Up, "ipmp0", "net1"),
        ]);

    /// <summary>ipmpstat's own start on the daemon clock for the -pn example.</summary>
    public static TimeSpan ProbeStart { get; } = TimeSpan.FromSeconds(1000);

    private static ProbeEvent Acked(ushort id, string ifname, double startS, double netRttMs, double rttMs, double? avgMs, string target)
    {
        TimeSpan start = ProbeStart + TimeSpan.FromTicks((long)Math.Round(startS * 10_000_000));
        TimeSpan sent = start + Ms(0.1);
        return new ProbeEvent(id, ifname, ProbeEventState.Acked, start, sent, sent + Ms(netRttMs), start + Ms(rttMs),
            Ip(target), avgMs is { } a ? Ms(a) : null, Ms(0.05));
    }

    private static ProbeEvent Sent(ushort id, string ifname, double startS, string target)
    {
        TimeSpan start = ProbeStart + TimeSpan.FromTicks((long)Math.Round(startS * 10_000_000));
        return new ProbeEvent(id, ifname, ProbeEventState.Sent, start, start + Ms(0.1), null, null, Ip(target), null, null);
    }

    /// <summary>The -pn example's events, with SENT events in between (they print nothing).</summary>
    public static ImmutableArray<ProbeEvent> ProbeEvents { get; } =
    [
        Sent(589, "net1", 0.11, "192.168.10.5"),
        Acked(589, "net1", 0.11, 0.51, 0.76, 0.70, "192.168.10.5"),
        Sent(612, "net2", 0.17, "192.168.10.2"),
        new ProbeEvent(612, "net2", ProbeEventState.Lost, ProbeStart + Ms(170), ProbeStart + Ms(170.1), null, null,
            Ip("192.168.10.2"), null, null),
        Acked(613, "net2", 0.63, 0.62, 1.20, 1.00, "192.168.10.3"),
        Acked(87, "net4", -0.42, 0.48, 0.69, 0.71, "10.1.1.1"),
    ];
}
