using System.Collections.Immutable;
using Ipmp.Cli.Stat;
using Ipmp.Core.Status;
using static Ipmp.Cli.Tests.Stat.ExampleScenario;
using static Ipmp.Cli.Tests.Stat.StatRunner;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>How each mode's values are computed from the snapshot, beyond the worked examples.</summary>
public sealed class FieldValueTests
{
    private static GroupStatus Group(string name, params string[] members) =>
        new(name, name, GroupState.Ok, null, [.. members], 1);

    [Theory]
    [InlineData("a:Inactive,b:Inactive", "(a b)")]
    [InlineData("a:None,b:Down", "[a b]")]
    [InlineData("a:Inactive,b:None", "(a) [b]")]
    [InlineData("a:Active,b:None", "a [b]")]
    [InlineData("a:Inactive|Down,b:Active,c:Active", "b c (a)")]
    public void GroupInterfacesActiveThenInactiveThenOthers(string members, string expected)
    {
        var interfaces = members.Split(',').Select(m => m.Split(':'))
            .Select(p => Interface(p[0], "g", Enum.Parse<InterfaceFlags>(p[1].Replace('|', ','))))
            .ToImmutableArray();
        var snapshot = new IpmpSnapshot([Group("g", [.. interfaces.Select(i => i.Name)])], interfaces, []);
        Assert.Equal(expected + "\n", Run("-gP -o interfaces", snapshot));
    }

    [Fact]
    public void GroupMemberThatCannotBeFoundIsWarnedAboutAndSkipped()
    {
        var snapshot = new IpmpSnapshot([Group("g", "ghost", "a")], [Interface("a", "g", InterfaceFlags.Active)], []);
        var warnings = new StringWriter();
        Assert.Equal("g:a\n", Run("-gP -o group,interfaces", snapshot, warnings: warnings));
        Assert.Equal("ipmpstat: warning: cannot get info for interface `ghost': interface is not using IPMP\n", warnings.ToString());
    }

    [Fact]
    public void FdtIsEmptyWhenUnknownOrZeroAndUsesTwoDecimals()
    {
        var snapshot = new IpmpSnapshot(
            [
                new GroupStatus("a", "a", GroupState.Failed, TimeSpan.Zero, [], 1),
                new GroupStatus("b", "b", GroupState.Ok, TimeSpan.FromMilliseconds(23_456.9), [], 1),
                new GroupStatus("c", "c", GroupState.Degraded, TimeSpan.FromMilliseconds(5), [], 1),
            ], [], []);
        // 5 ms: (float)5 / 1000 is 0.004999999888..., which printf("%.2f") shows as 0.00.
        Assert.Equal("a:failed:\nb:ok:23.46s\nc:degraded:0.00s\n", Run("-gP -o group,state,fdt", snapshot));
    }

    [Fact]
    public void AddressesAreDedupedPreferringUpAndTheAnonymousGroupHasNone()
    {
        var snapshot = ExampleScenario.Snapshot with
        {
            Addresses =
            [
                new AddressStatus(Ip("10.0.0.1"), 24, AddressState.Down, "ipmp0", ""),
                new AddressStatus(Ip("10.0.0.2"), 24, AddressState.Up, "ipmp0", "net0"),
                new AddressStatus(Ip("10.0.0.1"), 24, AddressState.Up, "ipmp0", "net1"),
                new AddressStatus(Ip("10.0.0.2"), 24, AddressState.Down, "ipmp0", ""),
                new AddressStatus(Ip("10.0.0.3"), 24, AddressState.Up, "", "net5"),
                new AddressStatus(Ip("10.0.0.1"), 24, AddressState.Up, "ipmp1", "net4"),
            ],
        };
        const string expected = "10.0.0.1:up:ipmp0:net1:net1 net0\n10.0.0.2:up:ipmp0:net0:net1 net0\n10.0.0.1:up:ipmp1:net4:net4\n";
        Assert.Equal(expected, Run("-anP -o address,state,group,inbound,outbound", snapshot));
    }

    [Fact]
    public void OutboundIsEmptyForAnUnboundUpAddress()
    {
        var snapshot = ExampleScenario.Snapshot with
        {
            Addresses = [new AddressStatus(Ip("10.1.1.60"), 24, AddressState.Up, "ipmp1", "")],
        };
        Assert.Equal("ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND\n" +
                     "10.1.1.60                 up     ipmp1       --          --\n", Run("-an", snapshot));
    }

    [Fact]
    public void OutboundOfAnUnknownGroupIsAQuestionMarkWithAWarning()
    {
        var snapshot = ExampleScenario.Snapshot with
        {
            Addresses = [new AddressStatus(Ip("10.9.9.9"), 24, AddressState.Up, "ipmp9", "net9")],
        };
        var warnings = new StringWriter();
        Assert.Equal("ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND\n" +
                     "10.9.9.9                  up     ipmp9       net9        ?\n", Run("-an", snapshot, warnings: warnings));
        Assert.Equal("ipmpstat: warning: cannot get info for group `ipmp9': unknown IPMP group\n", warnings.ToString());
        Assert.Equal("10.9.9.9:?\n", Run("-anP -o address,outbound", snapshot));
    }

    [Fact]
    public void WithoutNumericAddressesAndTargetsGoThroughTheResolver()
    {
        var resolver = new FakeHostNameResolver(new Dictionary<string, string>
        {
            ["192.168.10.50"] = "web1",
            ["192.168.10.5"] = "router5",
            ["192.168.10.12"] = "net1-test",
        });
        string addresses = Run("-aP -o address,state", ExampleScenario.Snapshot, resolver);
        Assert.Equal("10.1.1.50:up\nfe80\\:\\:214\\:4fff\\:fe21\\:f0c8:up\n192.168.10.52:down\n192.168.10.51:up\nweb1:up\n", addresses);

        string targets = Run("-t -o interface,testaddr,targets", ExampleScenario.Snapshot, resolver);
        Assert.Contains("net1        net1-test           router5 192.168.10.3 192.168.10.2\n", targets, StringComparison.Ordinal);
        Assert.Contains(resolver.Queries, a => a.Equals(Ip("10.1.1.1")));
    }

    [Fact]
    public void TargetRowsPerFamily()
    {
        var v6 = new TargetInfo(Ip("fe80::0:0:0:1"), TargetMode.Multicast, [Ip("fe80::2"), Ip("2001:db8:0:0:1:0:0:1")]);
        var snapshot = new IpmpSnapshot([], [
            Interface("v6only", "g", InterfaceFlags.Active, v6: v6),
            Interface("both", "g", InterfaceFlags.Active, v4: V4("10.0.0.9", TargetMode.Routes, "10.0.0.1"), v6: v6),
            Interface("off", "g", InterfaceFlags.Active, v4: new TargetInfo(Ip("10.0.0.8"), TargetMode.Disabled, [])),
        ], []);
        const string expected = """
            INTERFACE   MODE      TESTADDR            TARGETS
            v6only      multicast fe80::1             fe80::2 2001:db8::1:0:0:1
            both        routes    10.0.0.9            10.0.0.1
            both        multicast fe80::1             fe80::2 2001:db8::1:0:0:1
            off         disabled  --                  --

            """;
        Assert.Equal(expected, Run("-tn", snapshot));
    }

    [Fact]
    public void InterfaceFlagsStatesAndTheirWords()
    {
        var snapshot = new IpmpSnapshot([], [
            Interface("all", "g", InterfaceFlags.Inactive | InterfaceFlags.V4Multicast | InterfaceFlags.V4Broadcast |
                InterfaceFlags.V6Multicast | InterfaceFlags.Down | InterfaceFlags.HwAddrDup,
                InterfaceState.Offline, InterfaceType.Standby, LinkState.Down, ProbeState.Unknown),
            Interface("d", "g", InterfaceFlags.Down, InterfaceState.Unknown, probe: ProbeState.Failed),
            Interface("h", "g", InterfaceFlags.HwAddrDup, InterfaceState.Failed, InterfaceType.Standby),
        ], []);
        Assert.Equal("all:no:ismbMdh:down:unknown:offline\nd:no:-----d-:up:failed:unknown\nh:no:-s----h:up:ok:failed\n",
            Run("-iP -o interface,active,flags,link,probe,state", snapshot));
    }

    [Fact]
    public void EmptySnapshotPrintsNothingNotEvenAHeader()
    {
        foreach (string mode in new[] { "-a", "-g", "-i", "-t" })
            Assert.Equal("", Run(mode, IpmpSnapshot.Empty));
    }

    [Fact]
    public void HeaderRepeatsInSnapshotOutput()
    {
        var interfaces = Enumerable.Range(1, 25).Select(i => Interface("net" + i, "g", InterfaceFlags.Active)).ToImmutableArray();
        var snapshot = new IpmpSnapshot([], interfaces, []);
        string[] lines = Run("-i -o interface", snapshot).Split('\n');
        Assert.Equal(25 + 2 + 1, lines.Length); // two headers, 25 rows, final empty split
        Assert.Equal("INTERFACE", lines[0]);
        Assert.Equal("net23", lines[23]);
        Assert.Equal("INTERFACE", lines[24]);
        Assert.Equal("net24", lines[25]);
    }

    [Fact]
    public void JsonRows()
    {
        const string groups = """
            {"group":"ipmp1","groupname":"grp1","state":"degraded","fdt":"10.00s","interfaces":"net4 [net3]"}
            {"group":"ipmp0","groupname":"ipmp0","state":"ok","fdt":"10.00s","interfaces":"net1 net0 (net2)"}
            {"group":"","groupname":"","state":"ok","fdt":"","interfaces":"net5"}

            """;
        Assert.Equal(groups, Run("-gj", ExampleScenario.Snapshot));

        const string addresses = """
            {"address":"10.1.1.50","inbound":"net4"}
            {"address":"fe80::214:4fff:fe21:f0c8","inbound":"net1"}
            {"address":"192.168.10.52","inbound":""}
            {"address":"192.168.10.51","inbound":"net0"}
            {"address":"192.168.10.50","inbound":"net1"}

            """;
        Assert.Equal(addresses, Run("-anj -o ADDRESS,inbound", ExampleScenario.Snapshot));
    }

    [Fact]
    public void RenderRefusesProbeMode() =>
        Assert.Throws<ArgumentException>(() => new IpmpStatRenderer().Render(ExampleScenario.Snapshot, Options("-p")));

    [Fact]
    public void ProbingEnabledWhenAnyInterfaceProbes()
    {
        Assert.True(IpmpStatRenderer.ProbingEnabled(ExampleScenario.Snapshot));
        var none = ExampleScenario.Snapshot with
        {
            Interfaces = [.. ExampleScenario.Snapshot.Interfaces.Where(i => i.Probe == ProbeState.Disabled)],
        };
        Assert.False(IpmpStatRenderer.ProbingEnabled(none));
    }
}
