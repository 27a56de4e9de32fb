using Ipmp.Core.Status;
using static Ipmp.Cli.Tests.Stat.StatRunner;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>The worked examples of the reference's section 7, byte for byte.</summary>
public sealed class GoldenExampleTests
{
    private static readonly IpmpSnapshot Snapshot = ExampleScenario.Snapshot;

    [Fact]
    public void AddressesNumeric()
    {
        const string expected = """
            ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND
            10.1.1.50                 up     ipmp1       net4        net4
            fe80::214:4fff:fe21:f0c8  up     ipmp0       net1        net1 net0
            192.168.10.52             down   ipmp0       --          --
            192.168.10.51             up     ipmp0       net0        net1 net0
            192.168.10.50             up     ipmp0       net1        net1 net0

            """;
        var resolver = new FakeHostNameResolver(new Dictionary<string, string> { ["10.1.1.50"] = "never" });
        Assert.Equal(expected, Run("-an", Snapshot, resolver));
        Assert.Empty(resolver.Queries);
    }

    [Fact]
    public void Groups()
    {
        const string expected = """
            GROUP       GROUPNAME   STATE     FDT       INTERFACES
            ipmp1       grp1        degraded  10.00s    net4 [net3]
            ipmp0       ipmp0       ok        10.00s    net1 net0 (net2)
            --          --          ok        --        net5

            """;
        Assert.Equal(expected, Run("-g", Snapshot));
    }

    [Fact]
    public void Interfaces()
    {
        const string expected = """
            INTERFACE   ACTIVE  GROUP       FLAGS     LINK      PROBE     STATE
            net4        yes     ipmp1       --mbM--   up        ok        ok
            net3        no      ipmp1       -------   down      failed    failed
            net2        no      ipmp0       is-----   up        ok        ok
            net1        yes     ipmp0       --mbM--   up        ok        ok
            net0        yes     ipmp0       -------   up        disabled  ok
            net5        yes     --          -------   unknown   disabled  ok

            """;
        Assert.Equal(expected, Run("-i", Snapshot));
    }

    [Fact]
    public void TargetsNumeric()
    {
        const string expected = """
            INTERFACE   MODE      TESTADDR            TARGETS
            net4        routes    10.1.1.11           10.1.1.1
            net3        routes    10.1.1.12           10.1.1.1
            net2        multicast 192.168.10.13       192.168.10.2 192.168.10.5 192.168.10.3
            net1        multicast 192.168.10.12       192.168.10.5 192.168.10.3 192.168.10.2
            net0        disabled  --                  --
            net5        disabled  --                  --

            """;
        Assert.Equal(expected, Run("-tn", Snapshot));
    }

    [Fact]
    public void ProbesNumeric()
    {
        const string expected = """
            TIME      INTERFACE   PROBE  NETRTT    RTT       RTTAVG    TARGET
            0.11s     net1        589    0.51ms    0.76ms    0.70ms    192.168.10.5
            0.17s     net2        612    --        --        --        192.168.10.2
            0.63s     net2        613    0.62ms    1.20ms    1.00ms    192.168.10.3
            -0.42s    net4        87     0.48ms    0.69ms    0.71ms    10.1.1.1

            """;
        Assert.Equal(expected, RunProbes("-pn", ExampleScenario.ProbeEvents, ExampleScenario.ProbeStart));
    }

    [Fact]
    public void GroupsParsable()
    {
        const string expected = """
            ipmp1:degraded:10.00s:net4 [net3]
            ipmp0:ok:10.00s:net1 net0 (net2)
            :ok::net5

            """;
        Assert.Equal(expected, Run("-gP -o group,state,fdt,interfaces", Snapshot));
    }

    [Fact]
    public void AddressesParsableEscapesTheIpv6Address()
    {
        const string expected = """
            10.1.1.50:net4
            fe80\:\:214\:4fff\:fe21\:f0c8:net1
            192.168.10.52:
            192.168.10.51:net0
            192.168.10.50:net1

            """;
        Assert.Equal(expected, Run("-anP -o address,inbound", Snapshot));
    }

    [Fact]
    public void SixteenCharacterNamePushesLaterColumns()
    {
        var snapshot = new IpmpSnapshot(
            [new GroupStatus("ipmp0", "ipmp0", GroupState.Ok, null, ["averyverylongif0"], 1)],
            [ExampleScenario.Interface("averyverylongif0", "ipmp0", InterfaceFlags.Active)],
            []);
        const string expected = """
            INTERFACE   ACTIVE  GROUP       FLAGS     LINK      PROBE     STATE
            averyverylongif0 yes ipmp0      -------   up        ok        ok

            """;
        Assert.Equal(expected, Run("-i", snapshot));
    }
}
