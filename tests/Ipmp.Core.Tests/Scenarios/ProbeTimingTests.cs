using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>FDT adaptation (reference 3.9): raised when targets are too slow, lowered again once they are fast.</summary>
public class ProbeTimingTests
{
    [Fact]
    public void Slow_targets_raise_the_fdt_and_fast_ones_lower_it_again_after_a_minute()
    {
        var fdt = TimeSpan.FromMilliseconds(700);        // probe interval 100 ms
        var sim = Lab.Start(Lab.ThreeNics(fdt));
        sim.RunFor(TimeSpan.FromSeconds(2));
        Assert.Equal(fdt, sim.Group("ipmp0").FailureDetectionTime);

        // The router now answers in 90 ms: CRTT (avg + 4·mdev) goes well past the 100 ms interval.
        sim.Do(n => n.Host("router").Rtt = TimeSpan.FromMilliseconds(90));
        var raised = sim.RunUntil(() => sim.Group("ipmp0").FailureDetectionTime > fdt, TimeSpan.FromSeconds(5));
        Assert.NotNull(raised);
        var log = sim.Log.First(l => l.Message.Id == MessageId.FdtRaised).Message;
        Assert.Matches("^Cannot meet requested failure detection time of 700 ms on \\(inet net[0-2]\\) new failure detection time for group \"ipmp0\" is [0-9]+ ms$", log.Text);
        var newFdt = int.Parse(log.Text[(log.Text.LastIndexOf(" is ", StringComparison.Ordinal) + 4)..^3]);
        Assert.True(newFdt > 700, log.Text);
        sim.RunFor(TimeSpan.FromSeconds(3));
        var high = sim.Group("ipmp0").FailureDetectionTime!.Value;
        Assert.True(high >= TimeSpan.FromMilliseconds(newFdt), $"{high}");
        // Slow is not dead: nothing failed.
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));

        // Fast again: no decrease within 60 s of the last raise, then back down step by step to the configured FDT.
        sim.Do(n => n.Host("router").Rtt = TimeSpan.FromMilliseconds(0.5));
        var lastRaise = sim.Log.Last(l => l.Message.Id == MessageId.FdtRaised).At;
        sim.RunFor(TimeSpan.FromSeconds(50));
        Assert.DoesNotContain(sim.Log, l => l.Message.Id == MessageId.FdtImproved && l.At - lastRaise < TimeSpan.FromSeconds(60));
        var lowered = sim.RunUntil(() => sim.Group("ipmp0").FailureDetectionTime == fdt, TimeSpan.FromMinutes(3));
        Assert.NotNull(lowered);
        var improved = sim.Log.Where(l => l.Message.Id == MessageId.FdtImproved).ToList();
        Assert.NotEmpty(improved);
        Assert.All(improved, l => Assert.True(l.At - lastRaise >= TimeSpan.FromSeconds(60)));
        Assert.Matches("^Improved failure detection time 700 ms on \\(inet net[0-2]\\) for group \"ipmp0\"$", improved[^1].Message.Text);
        Assert.Equal(fdt / 7, sim.Engine.Groups[0].ProbeInterval);
    }
}
