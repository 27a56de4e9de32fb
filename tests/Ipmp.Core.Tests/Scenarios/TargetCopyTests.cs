using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

public class TargetCopyTests
{
    [Fact]
    public void A_nic_that_joins_with_a_dead_port_takes_the_groups_host_targets_and_is_failed()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Lab.Start(Lab.ThreeNics(fdt), n =>
        {
            n.AddNic("net0", present: false);
            n.AddNic("net1");
            n.AddNic("net2");
            n.AddHost("host2", "192.168.10.2");
            n.AddHost("host3", "192.168.10.3");
            n.AddHost("client", "192.168.10.100");
        });
        sim.RunFor(fdt * 3);
        Assert.Equal(TargetMode.Multicast, sim.Interface("net1").V4.Mode);

        // net0 appears, but its switch port passes nothing: no multicast answer of its own.
        sim.Do(n => n.KillPort("net0"));
        sim.Do(n => n.Plug("net0"));
        Assert.NotEmpty(sim.Interface("net0").V4.Targets);   // copied from the other members
        // Past the 40 s quiet period (no probe of net0 was ever answered), it is failed.
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, TimeSpan.FromSeconds(45)));
        Assert.NotEqual("net0", sim.Holder("192.168.10.50"));
        Assert.True(sim.ClientReaches("192.168.10.50"));
    }
}
