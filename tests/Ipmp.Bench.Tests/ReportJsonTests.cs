using System.Text.Json;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;

namespace Ipmp.Bench.Tests;

public sealed class ReportJsonTests
{
    [Fact]
    public void Every_figure_is_written_with_its_statistics_target_and_reason()
    {
        var report = new BenchReport { Quick = true, Machine = { ["nproc"] = "2" } };
        report.Add(new Figure("1 link failover", "move", "ms") { Stats = Summary.Of([1.0, 2.0, 3.0]), Samples = [1.0, 2.0, 3.0], Target = "p99 <= 1 ms", Met = false });
        report.Add(new Figure("2 probe", "detect", "ratio") { Unavailable = "not supported: minimum FDT 100 ms" });
        report.Add(new Figure("4 footprint", "cpu", "%") { Value = double.NaN });
        report.Notes.Add("a note");

        using var doc = JsonDocument.Parse(ReportJson.Serialize(report));
        var root = doc.RootElement;
        Assert.True(root.GetProperty("quick").GetBoolean());
        Assert.Equal("2", root.GetProperty("machine").GetProperty("nproc").GetString());
        var figures = root.GetProperty("figures");
        Assert.Equal(3, figures.GetArrayLength());
        var move = figures[0];
        Assert.Equal(3, move.GetProperty("n").GetInt32());
        Assert.Equal(2.0, move.GetProperty("median").GetDouble());
        Assert.Equal(3.0, move.GetProperty("p99").GetDouble());
        Assert.False(move.GetProperty("met").GetBoolean());
        Assert.Equal(3, move.GetProperty("samples").GetArrayLength());
        Assert.Equal("not supported: minimum FDT 100 ms", figures[1].GetProperty("unavailable").GetString());
        Assert.Equal(JsonValueKind.Null, figures[2].GetProperty("value").ValueKind);
        Assert.Equal("a note", root.GetProperty("notes")[0].GetString());
    }

    [Fact]
    public void The_table_has_a_row_per_figure()
    {
        var report = new BenchReport();
        report.Add(new Figure("s", "a", "ms") { Value = 1.5 });
        report.Add(new Figure("s", "b", "ms") { Unavailable = "peer not installable" });
        var lines = ReportTable.Render(report).Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.Contains("n/a: peer not installable", lines[3]);
    }

    [Fact]
    public void Longest_gap_counts_the_gap_straddling_the_start()
    {
        long[] stamps = [0, 1000, 2000, 9000, 10000];
        Assert.Equal(7.0, UdpEchoClient_LongestGap(stamps, from: 2500));
        Assert.Equal(1.0, UdpEchoClient_LongestGap(stamps, from: 9500));
    }

    [Fact]
    public void The_gap_across_a_failover_ignores_hiccups_elsewhere_and_the_quiet_window_only_its_own()
    {
        // A 9-tick hiccup long before (1 to 10), the failover's 5-tick silence (13 to 18) around the loss at 14-16, a 7-tick one after (20 to 27).
        long[] stamps = [0, 1, 10, 11, 12, 13, 18, 19, 20, 27, 28];
        Assert.Equal(5, UdpEchoClient.LongestGapOverlapping(stamps, from: 14, until: 16));
        // The silence that began just before the window and ended inside it counts.
        Assert.Equal(5, UdpEchoClient.LongestGapOverlapping(stamps, from: 17, until: 17));
        Assert.Equal(9, UdpEchoClient.LongestGapWithin(stamps, from: 0, until: 12));
        Assert.Equal(1, UdpEchoClient.LongestGapWithin(stamps, from: 10, until: 13));
    }

    private static double UdpEchoClient_LongestGap(long[] stamps, long from) =>
        UdpEchoClient.LongestGapMs(stamps, from, frequency: 1_000_000);
}
