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
