namespace Ipmp.Bench.Stats;

/// <summary>min / median / p99 / max of a set of samples (nearest-rank percentiles, as most latency
/// reports use: the p-th percentile is the smallest sample with at least p% of the samples at or below it).</summary>
public sealed record Summary(int Count, double Min, double Median, double P99, double Max, double Mean)
{
    public static Summary? Of(IEnumerable<double> samples)
    {
        var sorted = samples.Where(s => !double.IsNaN(s)).Order().ToArray();
        if (sorted.Length == 0) return null;
        return new Summary(sorted.Length, sorted[0], Percentile(sorted, 50), Percentile(sorted, 99), sorted[^1], sorted.Average());
    }

    /// <summary>Nearest-rank percentile of an ascending array: rank = ceil(p/100 · n), 1-based.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) throw new ArgumentException("no samples", nameof(sorted));
        if (p is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(p));
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }
}
