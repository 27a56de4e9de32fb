namespace Ipmp.Bench;

/// <summary>Trial counts and durations of a full run and of --quick. <see cref="OurLinkTrials"/>: the daemon's own
/// cable pulls, whose targets are p99s; with the nearest-rank method a p99 of 50 samples is their maximum,
/// of 200 it is the 198th (the peers' figures are compared by medians, and keep 50).</summary>
public sealed record BenchPlan(
    bool Quick,
    int OurLinkTrials,
    int LinkTrials,
    int ProbeTrials,
    TimeSpan FalseFailureDuration,
    TimeSpan FootprintWindow,
    int StatRuns,
    TimeSpan SimMeasureLarge,
    TimeSpan SimMeasureFast,
    TimeSpan JitterDuration)
{
    public static BenchPlan Full { get; } = new(false, 200, 50, 50, TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(60), 30,
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));

    public static BenchPlan QuickPlan { get; } = new(true, 12, 12, 6, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), 10,
        TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60));
}
