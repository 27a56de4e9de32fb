using System.Text;
using System.Text.Json;
using Ipmp.Bench.Stats;

namespace Ipmp.Bench.Results;

/// <summary>Writes a <see cref="BenchReport"/> as JSON with Utf8JsonWriter (no reflection: AOT-safe).</summary>
public static class ReportJson
{
    public static string Serialize(BenchReport report)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("started", report.Started);
            w.WriteNumber("durationSeconds", Math.Round(report.Duration.TotalSeconds, 1));
            w.WriteBoolean("quick", report.Quick);
            w.WriteStartObject("machine");
            foreach (var (k, v) in report.Machine) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("figures");
            foreach (var f in report.Figures) WriteFigure(w, f);
            w.WriteEndArray();
            w.WriteStartArray("notes");
            foreach (var n in report.Notes) w.WriteStringValue(n);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteFigure(Utf8JsonWriter w, Figure f)
    {
        w.WriteStartObject();
        w.WriteString("section", f.Section);
        w.WriteString("name", f.Name);
        w.WriteString("unit", f.Unit);
        if (f.Stats is { } s) WriteSummary(w, s);
        if (f.Value is { } v) Number(w, "value", v);
        if (f.Target is not null) w.WriteString("target", f.Target);
        if (f.Met is { } met) w.WriteBoolean("met", met);
        if (f.Unavailable is not null) w.WriteString("unavailable", f.Unavailable);
        if (f.Note is not null) w.WriteString("note", f.Note);
        if (f.Samples is { Count: > 0 } samples)
        {
            w.WriteStartArray("samples");
            foreach (var x in samples) w.WriteNumberValue(Round(x));
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter w, Summary s)
    {
        w.WriteNumber("n", s.Count);
        Number(w, "min", s.Min);
        Number(w, "median", s.Median);
        Number(w, "p99", s.P99);
        Number(w, "max", s.Max);
        Number(w, "mean", s.Mean);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, Round(value));
        else w.WriteNull(name);
    }

    private static double Round(double x) => Math.Round(x, 6);

    public static string Write(BenchReport report, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Serialize(report));
        return full;
    }
}
