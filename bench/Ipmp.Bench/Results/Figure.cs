using Ipmp.Bench.Stats;

namespace Ipmp.Bench.Results;

/// <summary>One line of the results: a statistic over trials, or a single value, or the reason it is
/// missing. <see cref="Target"/> is the bound ("≤ 1 ms"), <see cref="Met"/> whether it held.</summary>
public sealed record Figure(string Section, string Name, string Unit)
{
    public Summary? Stats { get; init; }
    public double? Value { get; init; }
    public string? Target { get; init; }
    public bool? Met { get; init; }
    /// <summary>Set when the figure could not be measured (not supported, peer not installable...).</summary>
    public string? Unavailable { get; init; }
    public string? Note { get; init; }
    public IReadOnlyList<double>? Samples { get; init; }
}

/// <summary>Everything one run produced.</summary>
public sealed class BenchReport
{
    public DateTimeOffset Started { get; init; } = DateTimeOffset.Now;
    public TimeSpan Duration { get; set; }
    public bool Quick { get; init; }
    public Dictionary<string, string> Machine { get; init; } = [];
    public List<Figure> Figures { get; } = [];
    public List<string> Notes { get; } = [];

    public void Add(Figure f)
    {
        lock (Figures) Figures.Add(f);
    }
}
