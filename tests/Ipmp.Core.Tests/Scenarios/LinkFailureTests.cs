using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Link-based detection: carrier loss fails an interface at once; carrier back plus probes repair it.</summary>
public class LinkFailureTests
{
    public static TheoryData<int> Fdts => new() { 100, 1000, 10000 };

    [Theory, MemberData(nameof(Fdts))]
    public void Cable_pull_fails_over_at_once_and_repair_fails_back_within_two_fdt(int fdtMs)
    {
        var fdt = TimeSpan.FromMilliseconds(fdtMs);
        var sim = Lab.Start(Lab.ThreeNics(fdt));
        sim.RunFor(fdt * 3);
        Assert.Equal("net0", sim.Holder("192.168.10.50"));

        sim.Do(n => n.PullCable("net0"));

        // No time passes: the event alone moves the address.
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net0"));
        Assert.Equal(LinkState.Down, sim.Interface("net0").Link);
        Assert.Equal("net2", sim.Holder("192.168.10.50"));     // the standby took over
        Assert.True(sim.Interface("net2").IsActive);
        Assert.Equal(GroupState.Degraded, sim.Group("ipmp0").State);
        Assert.True(sim.ClientReaches("192.168.10.50"));        // the announcement updated the client
        Assert.Contains(sim.Log, l => l.Message.Text == "The link has gone down on net0");
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface failure detected on net0 of group ipmp0");

        sim.Do(n => n.PlugCable("net0"));
        var repaired = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, fdt * 3);
        Assert.NotNull(repaired);
        Assert.True(repaired <= fdt * 2, $"repair took {repaired}, more than 2 x FDT");
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.False(sim.Interface("net2").IsActive);           // standby back to INACTIVE
        Assert.Equal(InterfaceFlags.Inactive, sim.Interface("net2").Flags & InterfaceFlags.Inactive);
        Assert.True(sim.ClientReaches("192.168.10.50"));
        Assert.Equal(GroupState.Ok, sim.Group("ipmp0").State);
    }

    [Fact]
    public void Link_only_interface_repairs_on_carrier_but_not_while_flapping()
    {
        var config = Lab.Config(TimeSpan.FromSeconds(1), true, true, default,
            Lab.Nic("net0", 0, ["192.168.10.50/24"]),
            Lab.Nic("net1", 0, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(TimeSpan.FromSeconds(1));
        Assert.Equal(ProbeState.Disabled, sim.Interface("net0").Probe);

        for (var i = 0; i < 2; i++)
        {
            sim.Do(n => n.PullCable("net0"));
            Assert.Equal(InterfaceState.Failed, sim.StateOf("net0"));
            sim.Do(n => n.PlugCable("net0"));
            Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));   // link-only: repaired at once
            sim.RunFor(TimeSpan.FromSeconds(5));
        }
        // Third link-up within a minute: repair is held back until the link stabilises.
        sim.Do(n => n.PullCable("net0"));
        sim.Do(n => n.PlugCable("net0"));
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net0"));
        Assert.Equal("net1", sim.Holder("192.168.10.50"));
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.LinkFlapping);
        var took = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, TimeSpan.FromSeconds(61));
        Assert.NotNull(took);
        Assert.True(took > TimeSpan.FromSeconds(40), $"repaired after {took}, while still flapping");
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
    }

    [Fact]
    public void Link_down_with_no_other_working_member_is_a_group_failure_and_moves_nothing()
    {
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(1)));
        sim.RunFor(TimeSpan.FromSeconds(3));
        sim.Do(n => n.PullCable("net2"));
        sim.Do(n => n.PullCable("net1"));
        Assert.Equal("net0", sim.Holder("192.168.10.51"));
        sim.Do(n => n.PullCable("net0"));

        Assert.Equal(GroupState.Failed, sim.Group("ipmp0").State);
        Assert.Contains(sim.Log, l => l.Message.Text == "All IP interfaces in group ipmp0 are now unusable");
        // Nothing lost: both addresses are still configured, exactly once.
        Assert.Single(sim.Network.AllHolders(System.Net.IPAddress.Parse("192.168.10.50")));
        Assert.Single(sim.Network.AllHolders(System.Net.IPAddress.Parse("192.168.10.51")));

        sim.Do(n => n.PlugCable("net1"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State != GroupState.Failed, TimeSpan.FromSeconds(3)));
        Assert.Contains(sim.Log, l => l.Message.Text == "At least 1 IP interface (net1) in group ipmp0 is now usable");
        Assert.Equal("net1", sim.Holder("192.168.10.50"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.50"));
    }
}
