using Ipmp.Bench.Stats;

namespace Ipmp.Bench.Tests;

public sealed class SummaryTests
{
    [Fact]
    public void Nearest_rank_percentiles_of_one_to_hundred()
    {
        var s = Summary.Of(Enumerable.Range(1, 100).Select(i => (double)i).Reverse())!;
        Assert.Equal((100, 1.0, 50.0, 99.0, 100.0, 50.5), (s.Count, s.Min, s.Median, s.P99, s.Max, s.Mean));
    }

    [Fact]
    public void Small_samples_take_the_largest_for_p99_and_ignore_nan()
    {
        var s = Summary.Of([3.0, double.NaN, 1.0, 2.0])!;
        Assert.Equal(3, s.Count);
        Assert.Equal(2.0, s.Median);
        Assert.Equal(3.0, s.P99);
        Assert.Null(Summary.Of([]));
    }

    [Theory]
    [InlineData(0, 10.0)]
    [InlineData(10, 10.0)]
    [InlineData(11, 20.0)]
    [InlineData(100, 100.0)]
    public void Percentile_ranks(double p, double expected) =>
        Assert.Equal(expected, Summary.Percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], p));
}
