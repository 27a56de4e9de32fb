using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;

namespace Ipmp.Bench.Figures;

/// <summary>The two figures of a detection bench (detection within FDT, repair within 2 × FDT, as ratios of
/// FDT), one shape for figure 2 and the transitive standby bench.</summary>
public static class DetectionFigures
{
    public static void Add(BenchReport report, string section, string detection, List<double> detect, string repair,
        List<double> repaired, string note)
    {
        var d = Summary.Of(detect);
        var r = Summary.Of(repaired);
        report.Add(new Figure(section, detection, "ratio")
        {
            Stats = d, Samples = detect, Target = "<= 1.0 (max)", Met = d is null ? false : d.Max <= 1.0, Note = note,
        });
        report.Add(new Figure(section, repair, "ratio")
        {
            Stats = r, Samples = repaired, Target = "<= 2.0 (max)", Met = r is null ? false : r.Max <= 2.0,
        });
    }
}
