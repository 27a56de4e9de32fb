namespace Ipmp.Core.Engine;

/// <summary>
/// Monotonic time for the engine, read from a <see cref="TimeProvider"/>: the system's monotonic clock in
/// the daemon, a simulated one in tests. Instants are <see cref="TimeSpan"/>s since the clock's origin, so
/// they compare across processes that share the clock (the daemon and ipmpstat -p).
/// </summary>
public sealed class EngineClock(TimeProvider time)
{
    public TimeProvider Provider { get; } = time;

    public TimeSpan Now => FromTimestamp(Provider.GetTimestamp(), Provider.TimestampFrequency);

    public static TimeSpan FromTimestamp(long timestamp, long frequency) =>
        frequency == TimeSpan.TicksPerSecond
            ? TimeSpan.FromTicks(timestamp)
            : TimeSpan.FromTicks((long)((Int128)timestamp * TimeSpan.TicksPerSecond / frequency));
}
