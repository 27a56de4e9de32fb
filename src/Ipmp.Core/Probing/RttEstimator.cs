namespace Ipmp.Core.Probing;

/// <summary>
/// Jacobson/Karels round-trip estimation per target, kept as illumos keeps it (mpd_probe.c, compute_crtt):
/// the average scaled by 8 (<c>sa</c>) and the mean deviation scaled by 4 (<c>sv</c>), in nanoseconds. The
/// conservative RTT (average + 4 × mean deviation) decides when an unanswered probe counts as lost.
/// Unlike illumos (pi_set_crtt keeps CRTT in whole milliseconds, so 1.9 ms is 1 ms and anything under 1 ms
/// is 0, which its callers read as "no estimate" and replace by the whole probe interval), CRTT keeps the
/// estimator's precision down to the TimeSpan tick (100 ns): on a LAN the RTT is well under a millisecond.
/// </summary>
public sealed class RttEstimator
{
    private long _sa = -1;
    private long _sv;

    /// <summary>A deferred suspect sample (one that alone would push CRTT above the probe interval).</summary>
    public long? DeferredNs { get; set; }

    public bool HasSample => _sa >= 0;

    /// <summary>sa/8: the smoothed average.</summary>
    public TimeSpan? Average => _sa > 0 ? TimeSpan.FromTicks(_sa / 8 / 100) : null;

    /// <summary>sv/4: the mean deviation.</summary>
    public TimeSpan? Deviation => _sv > 0 ? TimeSpan.FromTicks(_sv / 4 / 100) : null;

    /// <summary>Conservative RTT = sa/8 + sv, to the tick (100 ns); zero without samples (see
    /// <see cref="HasSample"/>: a zero CRTT with a sample is a real, very fast estimate).</summary>
    public TimeSpan Crtt => _sa < 0 ? TimeSpan.Zero : Ticks(CrttNs(_sa, _sv));

    private static long CrttNs(long sa, long sv) => sa / 8 + sv;

    public void Add(long sampleNs)
    {
        (_sa, _sv) = Next(_sa, _sv, sampleNs);
    }

    /// <summary>The CRTT this estimator would have after <paramref name="sampleNs"/>, without taking it.</summary>
    public TimeSpan CrttAfter(long sampleNs)
    {
        var (sa, sv) = Next(_sa, _sv, sampleNs);
        return Ticks(CrttNs(sa, sv));
    }

    private static TimeSpan Ticks(long ns) => TimeSpan.FromTicks(ns / 100);

    private static (long Sa, long Sv) Next(long sa, long sv, long m)
    {
        if (sa < 0) return (8 * m, 2 * m);
        var err = m - sa / 8;
        sa = Math.Max(0, sa + err);
        sv += Math.Abs(err) - sv / 4;
        return (sa, sv);
    }

    public void Reset()
    {
        _sa = -1;
        _sv = 0;
        DeferredNs = null;
    }
}
