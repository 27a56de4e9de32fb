using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

public class SmokeTests
{
    [Fact]
    public void Starts_places_addresses_and_probes()
    {
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(1)));
        sim.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.Equal(GroupState.Ok, sim.Group("ipmp0").State);
        Assert.True(sim.Interface("net0").IsActive);
        Assert.False(sim.Interface("net2").IsActive);
        Assert.Equal(ProbeState.Ok, sim.Interface("net0").Probe);
        Assert.True(sim.ClientReaches("192.168.10.50"));
    }
}
