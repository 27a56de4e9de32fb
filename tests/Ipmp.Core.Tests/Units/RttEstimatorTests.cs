using Ipmp.Core.Probing;

namespace Ipmp.Core.Tests.Units;

/// <summary>Jacobson/Karels as illumos keeps it (reference 3.7): sa = 8·avg, sv = 4·mdev, CRTT = sa/8 + sv.</summary>
public class RttEstimatorTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void Without_a_sample_crtt_is_zero()
    {
        var r = new RttEstimator();
        Assert.False(r.HasSample);
        Assert.Equal(TimeSpan.Zero, r.Crtt);
        Assert.Null(r.Average);
        Assert.Null(r.Deviation);
    }

    [Fact]
    public void The_first_sample_gives_crtt_three_times_the_sample()
    {
        var r = new RttEstimator();
        r.Add(10 * Ms);
        Assert.True(r.HasSample);
        Assert.Equal(TimeSpan.FromMilliseconds(30), r.Crtt);           // sa = 8m, sv = 2m
        Assert.Equal(TimeSpan.FromMilliseconds(10), r.Average);        // sa/8
        Assert.Equal(TimeSpan.FromMilliseconds(5), r.Deviation);       // sv/4
    }

    [Fact]
    public void Later_samples_follow_the_jacobson_karels_update()
    {
        var r = new RttEstimator();
        r.Add(10 * Ms);   // sa = 80, sv = 20
        r.Add(20 * Ms);   // err = 20 - 10 = 10; sa = 90; sv = 20 + 10 - 5 = 25  → CRTT = 11.25 + 25
        Assert.Equal(TimeSpan.FromMilliseconds(36.25), r.Crtt);
        Assert.Equal(TimeSpan.FromMilliseconds(11.25), r.Average);
        Assert.Equal(TimeSpan.FromMilliseconds(6.25), r.Deviation);
        r.Add(2 * Ms);    // err = 2 - 11.25 = -9.25; sa = 80.75; sv = 25 + 9.25 - 6.25 = 28 → CRTT = 10.09375 + 28
        Assert.Equal(TimeSpan.FromMilliseconds(38.0937), r.Crtt);     // to the 100 ns tick
    }

    /// <summary>illumos keeps CRTT in whole ms (1.9 ms → 1 ms, 0.9 ms → 0, which reads as "no estimate");
    /// here it keeps the tick (100 ns), so a sub-millisecond LAN keeps a real estimate.</summary>
    [Fact]
    public void Crtt_keeps_sub_millisecond_precision()
    {
        var r = new RttEstimator();
        r.Add(1_900_000);     // 3 × 1.9 ms
        Assert.Equal(TimeSpan.FromMilliseconds(5.7), r.Crtt);
        var fast = new RttEstimator();
        fast.Add(300_000);    // 3 × 0.3 ms
        Assert.Equal(TimeSpan.FromMilliseconds(0.9), fast.Crtt);
        Assert.True(fast.HasSample);
        var zero = new RttEstimator();
        zero.Add(0);          // a clamped sample: a real estimate of "faster than the clocks can tell"
        Assert.True(zero.HasSample);
        Assert.Equal(TimeSpan.Zero, zero.Crtt);
    }

    [Fact]
    public void CrttAfter_predicts_without_taking_the_sample()
    {
        var r = new RttEstimator();
        r.Add(10 * Ms);
        Assert.Equal(TimeSpan.FromMilliseconds(36.25), r.CrttAfter(20 * Ms));
        Assert.Equal(TimeSpan.FromMilliseconds(30), r.Crtt);
        Assert.Equal(TimeSpan.FromMilliseconds(12), new RttEstimator().CrttAfter(4 * Ms));
    }

    [Fact]
    public void Reset_forgets_the_estimate_and_any_deferred_sample()
    {
        var r = new RttEstimator();
        r.Add(10 * Ms);
        r.DeferredNs = 500 * Ms;
        r.Reset();
        Assert.False(r.HasSample);
        Assert.Equal(TimeSpan.Zero, r.Crtt);
        Assert.Null(r.DeferredNs);
        r.Add(4 * Ms);                                   // a first sample again
        Assert.Equal(TimeSpan.FromMilliseconds(12), r.Crtt);
    }
}
