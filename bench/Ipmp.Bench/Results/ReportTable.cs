using System.Globalization;
using System.Text;

namespace Ipmp.Bench.Results;

/// <summary>The human-readable table (also pasted into bench/README.md as Markdown).</summary>
public static class ReportTable
{
    public static string Render(BenchReport report)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| section | figure | unit | n | min | median | p99 | max | target | met |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var f in report.Figures)
        {
            string n = "", min = "", med = "", p99 = "", max = "";
            if (f.Stats is { } s)
                (n, min, med, p99, max) = (s.Count.ToString(CultureInfo.InvariantCulture), F(s.Min), F(s.Median), F(s.P99), F(s.Max));
            else if (f.Value is { } v)
                med = F(v);
            else if (f.Unavailable is not null)
                med = "n/a: " + f.Unavailable;
            var met = f.Met switch { true => "yes", false => "NO", null => "" };
            sb.AppendLine($"| {f.Section} | {f.Name} | {f.Unit} | {n} | {min} | {med} | {p99} | {max} | {f.Target} | {met} |");
        }
        return sb.ToString();
    }

    public static string F(double x) =>
        double.IsNaN(x) ? "-" :
        Math.Abs(x) >= 100 ? x.ToString("F0", CultureInfo.InvariantCulture) :
        Math.Abs(x) >= 10 ? x.ToString("F1", CultureInfo.InvariantCulture) :
        x.ToString("F3", CultureInfo.InvariantCulture);
}
