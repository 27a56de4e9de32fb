using System.Globalization;

namespace Ipmp.Bench.Figures;

/// <summary>/proc/PID figures: resident memory and CPU time consumed.</summary>
public static class ProcStat
{
    /// <summary>VmRSS in MiB.</summary>
    public static double RssMiB(int pid) => StatusKb(pid, "VmRSS:") / 1024.0;

    public static double StatusKb(int pid, string key)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>utime + stime in seconds (all threads).</summary>
    public static double CpuSeconds(int pid) => ParseCpuSeconds(File.ReadAllText($"/proc/{pid}/stat"), 100);

    /// <summary>Fields 14 and 15 of /proc/PID/stat, after the parenthesised command name.</summary>
    public static double ParseCpuSeconds(string stat, int clockTicks)
    {
        var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // rest[0] is field 3 (state): utime is field 14 → rest[11], stime field 15 → rest[12].
        return (long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)) / (double)clockTicks;
    }
}
