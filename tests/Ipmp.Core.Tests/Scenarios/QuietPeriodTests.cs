using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>
/// The 40 s spanning-tree quiet period belongs to a probe instance's creation only (illumos mpd_tables.c,
/// phyint_inst_create sets pii_fd_hrtime): the interface appears or joins the group. Bringing it online,
/// its link coming up or a new test address start no quiet period.
/// </summary>
public class QuietPeriodTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    private static Simulation.Simulation Settled(int seed = 1)
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), seed: seed);
        sim.RunFor(Fdt * 3);
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(ProbeState.Ok, i.Probe));
        return sim;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Online_of_a_nic_whose_switch_port_is_dead_moves_its_addresses_away_within_the_fdt(int seed)
    {
        var sim = Settled(seed);
        Assert.True(sim.Engine.Offline("net0").Ok);
        sim.Drain();
        Assert.NotEqual("net0", sim.Holder("192.168.10.50"));
        sim.Do(n => n.KillPort("net0"));
        sim.RunFor(TimeSpan.FromSeconds(5));

        Assert.True(sim.Engine.Online("net0").Ok);
        sim.Drain();
        Assert.Equal("net0", sim.Holder("192.168.10.50"));     // online takes its addresses back at once
        var left = sim.RunUntil(() => sim.Holder("192.168.10.50") != "net0", Fdt * 3);

        Assert.True(left is not null, sim.Dump());
        Assert.True(left <= Fdt, $"the address left net0 {left} after online; FDT is {Fdt}");
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net0"));
        Assert.True(sim.ClientReaches("192.168.10.50"));
    }

    [Fact]
    public void Link_up_does_not_start_a_quiet_period()
    {
        var sim = Settled();
        var pi = sim.Engine.FindInterface("net0")!.V4;
        var quietUntil = pi.QuietUntil;
        Assert.True(quietUntil <= sim.Now);
        sim.Do(n => n.PullCable("net0"));
        sim.RunFor(TimeSpan.FromSeconds(2));
        sim.Do(n => n.PlugCable("net0"));
        Assert.Equal(quietUntil, pi.QuietUntil);
    }

    [Fact]
    public void A_new_test_address_starts_no_quiet_period_so_a_dead_port_is_still_found_within_the_fdt()
    {
        var sim = Settled();
        sim.Do(n => n.KillPort("net0"));
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 20, ["192.168.10.50/24"]),            // test address .10 → .20
            Lab.Nic("net1", 11, ["192.168.10.51/24"]),
            Lab.Nic("net2", 12, [], standby: true));
        sim.Engine.ApplyConfig(config);
        sim.Drain();
        Assert.Equal(IpPrefix.Parse("192.168.10.20/24"), sim.Engine.FindInterface("net0")!.V4.TestAddress);

        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, Fdt * 3);
        Assert.True(detected is not null, sim.Dump());
        // A new test address has no RTT estimate yet, so the last probe waits a whole interval: up to 8 of them.
        Assert.True(detected <= Fdt * 8 / 7, $"{detected}");
    }

    [Fact]
    public void A_nic_plugged_in_later_is_a_new_instance_and_gets_its_quiet_period()
    {
        var sim = Settled();
        sim.Do(n => n.Unplug("net0"));
        sim.RunFor(TimeSpan.FromSeconds(5));
        sim.Do(n => n.KillPort("net0"));
        sim.Do(n => n.Plug("net0"));
        var plugged = sim.Now;
        Assert.Equal(plugged + TimeSpan.FromSeconds(40), sim.Engine.FindInterface("net0")!.V4.QuietUntil);

        sim.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));   // nothing answered it: the quiet period holds
        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, TimeSpan.FromSeconds(15));
        Assert.NotNull(detected);
        Assert.True(sim.Now >= plugged + TimeSpan.FromSeconds(40));
    }
}
