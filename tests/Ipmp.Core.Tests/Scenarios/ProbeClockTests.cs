using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>RTT samples and loss deadlines count from when the probe left (ProbeSent), on the receive
/// stamp's clock; samples the clocks cannot resolve are clamped, not dropped.</summary>
public class ProbeClockTests
{
    [Fact]
    public void A_daemon_that_sends_40_ms_after_its_round_does_not_read_the_delay_as_network_rtt()
    {
        var fdt = TimeSpan.FromMilliseconds(700);      // probe interval 100 ms
        var sim = Lab.Start(Lab.ThreeNics(fdt), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            n.SendDelay = TimeSpan.FromMilliseconds(40);
        });
        sim.RunFor(TimeSpan.FromSeconds(30));

        // Counted from the round, every sample would be 40.5 ms and CRTT (3 × 40.5 ms after the first) past
        // the 100 ms interval: the FDT would have been raised.
        Assert.DoesNotContain(sim.Log, l => l.Message.Id == MessageId.FdtRaised);
        Assert.Equal(fdt, sim.Group("ipmp0").FailureDetectionTime);
        var rtt = sim.Engine.FindInterface("net0")!.V4.Targets[0].Rtt;
        Assert.True(rtt.Average < TimeSpan.FromMilliseconds(1), $"{rtt.Average}");
        Assert.Equal(0, sim.Engine.Counters.ProbesDeclaredLost);
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));
    }

    [Fact]
    public void Replies_stamped_before_their_probe_left_still_teach_the_estimator()
    {
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(1)), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            foreach (var h in n.Hosts) h.Rtt = TimeSpan.FromMilliseconds(0.05);
            n.ReceiveStampOffset = TimeSpan.FromMilliseconds(-0.1);   // every sample is -0.05 ms
        });
        sim.RunFor(TimeSpan.FromSeconds(10));

        var rtt = sim.Engine.FindInterface("net0")!.V4.Targets[0].Rtt;
        Assert.True(rtt.HasSample);                       // dropped, there would be none
        Assert.Equal(TimeSpan.Zero, rtt.Crtt);
        Assert.Equal(0, sim.Engine.Counters.ProbesDeclaredLost);

        // And a dead port is still found within the FDT.
        sim.Do(n => n.KillPort("net0"));
        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, TimeSpan.FromSeconds(2));
        Assert.NotNull(detected);
        Assert.True(detected <= TimeSpan.FromSeconds(1), $"{detected}");
    }

    [Fact]
    public void A_probe_is_judged_only_at_its_own_slot_not_when_another_interface_wakes_the_engine()
    {
        // The router answers in 30–50 ms: past a settled CRTT now and then, never past the next slot (>= 71 ms).
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(1)), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            foreach (var h in n.Hosts)
            {
                h.Rtt = TimeSpan.FromMilliseconds(30);
                h.Jitter = TimeSpan.FromMilliseconds(20);
            }
        });
        sim.RecordProbes = true;
        sim.RunFor(TimeSpan.FromMinutes(2));
        Assert.Equal(0, sim.Engine.Counters.ProbesDeclaredLost);
        Assert.DoesNotContain(sim.Probes, p => p.State == Ipmp.Core.Status.ProbeEventState.Lost);
    }
}
