using System.Net;
using Ipmp.Core.Status;
using static Ipmp.Cli.Tests.Stat.ExampleScenario;
using static Ipmp.Cli.Tests.Stat.StatRunner;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>Transitive probing in ipmpstat, as Solaris 11 shows it: -t MODE "transitive" with the interface
/// itself in angle brackets as TESTADDR and the probed members as TARGETS; -p probes numbered t&lt;n&gt;
/// with the probed member as TARGET.</summary>
public sealed class TransitiveRowTests
{
    [Fact]
    public void Target_rows_show_transitive_members_in_angle_brackets()
    {
        var snapshot = new IpmpSnapshot([], [
            Interface("net2", "ipmp0", InterfaceFlags.Inactive, v4: new TargetInfo(null, TargetMode.Transitive, [], ["net0", "net3"])),
            Interface("net1", "ipmp0", InterfaceFlags.Active, v4: new TargetInfo(null, TargetMode.Transitive, [], [])),
            Interface("net0", "ipmp0", InterfaceFlags.Active, v4: V4("192.168.10.50", TargetMode.Routes, "192.168.10.1")),
        ], []);
        const string expected = """
            INTERFACE   MODE      TESTADDR            TARGETS
            net2        transitive <net2>             <net0> <net3>
            net1        transitive <net1>             --
            net0        routes    192.168.10.50       192.168.10.1

            """;
        Assert.Equal(expected, Run("-tn", snapshot));
        Assert.Equal("net2:transitive:<net2>:<net0> <net3>\n",
            Run("-tnP -o interface,mode,testaddr,targets", snapshot with { Interfaces = [snapshot.Interfaces[0]] }).Replace("\\:", ":"));
    }

    [Fact]
    public void Transitive_probes_are_numbered_t_and_name_the_member()
    {
        var start = TimeSpan.FromSeconds(50);
        var e = new ProbeEvent(28, "net2", ProbeEventState.Acked, start, start + Ms(0.1), start + Ms(0.6), start + Ms(0.9),
            IPAddress.None, Ms(0.5), Ms(0.1), "net0");
        Assert.Equal("0.00s:net2:t28:0.50ms:0.90ms:0.50ms:<net0>\n",
            RunProbes("-pnP -o time,interface,probe,netrtt,rtt,rttavg,target", [e], start));
    }
}
