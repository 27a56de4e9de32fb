using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Runtime;

/// <summary>
/// Evidence for slow detections: a timer turn of the event loop that runs later than a probe interval
/// (FDT/7) after it was due means a probe slot or a loss deadline was missed by the host, not by the network.
/// Each such turn is counted; they are logged (rate-limited) with the CPU steal time of the host since the
/// last report (/proc/stat), which tells a starved virtual machine from a busy one.
/// </summary>
public sealed class StallDetector(ILogger logger, Func<long?>? readSteal = null)
{
    private readonly LogLimiter _limit = new(burst: 5, interval: TimeSpan.FromSeconds(60));
    private readonly Func<long?> _readSteal = readSteal ?? ReadStealMs;
    private long? _lastSteal;

    public long Stalls { get; private set; }
    public TimeSpan Worst { get; private set; }

    /// <summary>A turn ran <paramref name="late"/> after its due time; <paramref name="threshold"/> is FDT/7.</summary>
    public void Observe(TimeSpan late, TimeSpan threshold, TimeSpan now)
    {
        if (late <= threshold) return;
        Stalls++;
        if (late > Worst) Worst = late;
        if (!_limit.Allow("stall", now, out var suppressed)) return;
        var steal = _readSteal();
        var stealNote = steal is { } s && _lastSteal is { } last ? $"; CPU steal {s - last} ms since the last report" : "";
        _lastSteal = steal;
        logger.LogWarning("event loop ran {Late:F1} ms late (a probe interval is {Threshold:F1} ms){Steal}{Suppressed}",
            late.TotalMilliseconds, threshold.TotalMilliseconds, stealNote,
            suppressed > 0 ? $" ({suppressed} more late turns not logged)" : "");
    }

    /// <summary>The "steal" column of the aggregate cpu line of /proc/stat, in milliseconds.</summary>
    public static long? ReadStealMs()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal ...; USER_HZ is 100 on Linux.
            return f.Length > 8 && long.TryParse(f[8], out var ticks) ? ticks * 10 : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
