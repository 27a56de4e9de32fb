namespace Ipmp.Host.Runtime;

/// <summary>
/// Rate limit for log lines that the network or local users can provoke at will (malformed replies,
/// refused control connections, link flaps): per kind, a burst of lines per interval, then silence, then a
/// summary line with the number suppressed. Time is passed in, so it is testable without a clock.
/// </summary>
public sealed class LogLimiter(int burst = 5, TimeSpan? interval = null)
{
    private readonly TimeSpan _interval = interval ?? TimeSpan.FromSeconds(10);
    private readonly Dictionary<string, (TimeSpan Start, int Count)> _windows = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Whether a line of <paramref name="kind"/> may be logged now; <paramref name="suppressed"/>
    /// is the number dropped in the window that just ended (report it once, then 0).</summary>
    public bool Allow(string kind, TimeSpan now, out int suppressed)
    {
        lock (_lock)
        {
            suppressed = 0;
            // Kinds may be whole lines (distinct texts): keep the table small by forgetting ended windows.
            if (_windows.Count >= 1024)
                foreach (var stale in _windows.Where(kv => now - kv.Value.Start >= _interval).Select(kv => kv.Key).ToList())
                    _windows.Remove(stale);
            if (!_windows.TryGetValue(kind, out var w) || now - w.Start >= _interval)
            {
                if (w.Count > burst) suppressed = w.Count - burst;
                _windows[kind] = (now, 1);
                return true;
            }
            _windows[kind] = (w.Start, w.Count + 1);
            return w.Count + 1 <= burst;
        }
    }
}
