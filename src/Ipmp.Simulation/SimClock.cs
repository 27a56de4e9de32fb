namespace Ipmp.Simulation;

/// <summary>A clock that moves only when the simulation moves it. Monotonic time starts at zero.</summary>
public sealed class SimClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public TimeSpan Now { get; private set; }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public override long GetTimestamp() => Now.Ticks;
    public override DateTimeOffset GetUtcNow() => Epoch + Now;

    public void AdvanceTo(TimeSpan t)
    {
        if (t < Now) throw new InvalidOperationException($"time cannot go back from {Now} to {t}");
        Now = t;
    }
}
