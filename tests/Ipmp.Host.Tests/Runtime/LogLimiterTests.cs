using Ipmp.Host.Runtime;

namespace Ipmp.Host.Tests.Runtime;

public class LogLimiterTests
{
    [Fact]
    public void A_burst_passes_then_lines_are_dropped_and_counted_until_the_window_ends()
    {
        var limiter = new LogLimiter(burst: 3, interval: TimeSpan.FromSeconds(10));
        var t = TimeSpan.FromSeconds(100);
        var allowed = Enumerable.Range(0, 50).Count(i => limiter.Allow("flap", t + TimeSpan.FromMilliseconds(i * 50), out _));
        Assert.Equal(3, allowed);
        // Another kind has its own window.
        Assert.True(limiter.Allow("malformed", t, out _));
        // The next window's first line carries the count of what was dropped.
        Assert.True(limiter.Allow("flap", t + TimeSpan.FromSeconds(10), out var suppressed));
        Assert.Equal(47, suppressed);
        Assert.True(limiter.Allow("flap", t + TimeSpan.FromSeconds(21), out suppressed));
        Assert.Equal(0, suppressed);
    }
}

public class LoopInboxTests
{
    [Fact]
    public void The_inbox_is_bounded_and_counts_what_it_refuses()
    {
        using var inbox = new LoopInbox(capacity: 4);
        var ran = 0;
        var accepted = Enumerable.Range(0, 10).Count(_ => inbox.TryPost(() => ran++));
        Assert.Equal(4, accepted);
        Assert.Equal(6, inbox.Refused);
        var work = new List<Action>();
        inbox.Drain(work);
        work.ForEach(w => w());
        Assert.Equal(4, ran);
        Assert.True(inbox.TryPost(() => ran++));
        inbox.Close();
        Assert.False(inbox.TryPost(() => ran++));
    }
}

public class StallDetectorTests
{
    private sealed class Lines : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Logged { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) => Logged.Add(formatter(state, exception));
    }

    [Fact]
    public void Turns_later_than_a_probe_interval_are_counted_and_logged_with_the_steal_time()
    {
        var log = new Lines();
        long steal = 1000;
        var d = new StallDetector(log, () => steal);
        var interval = TimeSpan.FromMilliseconds(100.0 / 7);
        d.Observe(TimeSpan.FromMilliseconds(5), interval, TimeSpan.FromSeconds(1));
        Assert.Equal(0, d.Stalls);
        d.Observe(TimeSpan.FromMilliseconds(30), interval, TimeSpan.FromSeconds(2));
        steal = 1250;
        d.Observe(TimeSpan.FromMilliseconds(80), interval, TimeSpan.FromSeconds(3));
        Assert.Equal(2, d.Stalls);
        Assert.Equal(TimeSpan.FromMilliseconds(80), d.Worst);
        Assert.Equal(2, log.Logged.Count);
        Assert.Contains("30.0 ms late", log.Logged[0]);
        Assert.Contains("CPU steal 250 ms", log.Logged[1]);
    }
}
