using System.Text.RegularExpressions;
using Ipmp.Core.Configuration;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Reads the <c>mpathd</c> file the way in.mpathd's main() does: each key looked up with defread(), FDT
/// through strtol(base 0), yes/no with strcasecmp(). Bad values fall back exactly as illumos does and are
/// reported as warnings with the illumos texts; they never reject the configuration.
/// </summary>
internal static partial class MpathdSettingsParser
{
    public static DaemonSettings Parse(string file, string content, DiagnosticBag diagnostics)
    {
        var reader = new DefaultFileReader(content);
        var settings = DaemonSettings.Default with
        {
            FailureDetectionTime = ReadFailureDetectionTime(file, reader, diagnostics),
            Failback = ReadYesNo(file, reader, MpathdKeys.Failback, DaemonSettings.Default.Failback, diagnostics),
            TrackInterfacesOnlyWithGroups = ReadYesNo(file, reader, MpathdKeys.TrackInterfacesOnlyWithGroups,
                DaemonSettings.Default.TrackInterfacesOnlyWithGroups, diagnostics),
            TransitiveProbing = ReadYesNo(file, reader, MpathdKeys.TransitiveProbing,
                DaemonSettings.Default.TransitiveProbing, diagnostics),
        };
        ExplainIgnoredLines(file, content, reader, diagnostics);
        return settings;
    }

    private static TimeSpan ReadFailureDetectionTime(string file, DefaultFileReader reader, DiagnosticBag diagnostics)
    {
        var defaultMs = (int)DaemonSettings.DefaultFailureDetectionTime.TotalMilliseconds;
        var minimumMs = (int)DaemonSettings.MinimumFailureDetectionTime.TotalMilliseconds;
        if (reader.Read(MpathdKeys.FailureDetectionTime) is not { } hit)
            return DaemonSettings.DefaultFailureDetectionTime;
        var (value, line) = hit;

        var ms = CStrtol.Parse(value);
        if (ms <= 0)
        {
            diagnostics.Warning(file, line, MpathdMessages.InvalidFailureDetectionTime(value, defaultMs));
            return DaemonSettings.DefaultFailureDetectionTime;
        }
        if (ms < minimumMs)
        {
            diagnostics.Warning(file, line, MpathdMessages.TooSmallFailureDetectionTime(value, minimumMs));
            return DaemonSettings.MinimumFailureDetectionTime;
        }
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>An invalid value leaves the default in place, as in.mpathd does (it only logs).</summary>
    private static bool ReadYesNo(string file, DefaultFileReader reader, string key, bool defaultValue,
        DiagnosticBag diagnostics)
    {
        if (reader.Read(key) is not { } hit) return defaultValue;
        var (value, line) = hit;
        if (AsciiEqualsIgnoreCase(value, "yes")) return true;
        if (AsciiEqualsIgnoreCase(value, "no")) return false;
        diagnostics.Warning(file, line, MpathdMessages.InvalidYesNo(key, value));
        return defaultValue;
    }

    /// <summary>strcasecmp() in the C locale.</summary>
    private static bool AsciiEqualsIgnoreCase(string a, string b) =>
        a.Length == b.Length && a.Equals(b, StringComparison.OrdinalIgnoreCase) && a.All(char.IsAscii);

    /// <summary>
    /// illumos is silent when a setting is not read at all; these notes (not illumos texts) say why, for the
    /// two mistakes that are easy to make and hard to see: a line defread() stops at, and "KEY = value".
    /// </summary>
    private static void ExplainIgnoredLines(string file, string content, DefaultFileReader reader,
        DiagnosticBag diagnostics)
    {
        // An unterminated last line only matters when it holds something; a trailing comment does not.
        if (reader.ScanStopLine is { } stop && (stop.Terminated || IsSetting(stop.Text)))
        {
            var why = !stop.Terminated ? "has no newline at the end"
                : stop.Text.Contains('\0') ? "contains a NUL byte"
                : $"is {stop.ByteLength} bytes long (defread reads lines of at most {DefaultFileReader.BufferSize - 1} bytes)";
            var ignored = stop.Terminated ? "it and every line after it are ignored" : "it is ignored";
            diagnostics.Warning(file, stop.Number, $"this line {why}; as with illumos defread(), {ignored}");
        }

        var number = 0;
        foreach (var text in content.Split('\n'))
        {
            number++;
            var m = NearMissAssignment().Match(text);
            if (!m.Success) continue;
            var key = m.Groups[2].Value.ToUpperInvariant();
            if (!MpathdKeys.All.Contains(key)) continue;
            if (m.Groups[3].Length > 0)
                diagnostics.Warning(file, number,
                    $"'{text.Trim()}' is not read: expected {key}=value with no blanks before '='");
            else if (m.Groups[1].Value.Contains('\t'))
                diagnostics.Warning(file, number,
                    $"'{text.Trim()}' is not read: defread() skips leading spaces but not tabs");
        }
    }

    private static bool IsSetting(string text)
    {
        var t = text.Trim();
        return t.Length > 0 && t[0] != '#';
    }

    /// <summary>KEY=, possibly with leading blanks (group 1) and blanks before '=' (group 3).</summary>
    [GeneratedRegex(@"^([ \t]*)([A-Za-z_]+)([ \t]*)=")]
    private static partial Regex NearMissAssignment();
}
