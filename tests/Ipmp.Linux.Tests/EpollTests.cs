using System.Diagnostics;
using Ipmp.Linux.Polling;

namespace Ipmp.Linux.Tests;

public class EpollTests
{
    [Fact]
    public void Epoll_reports_the_token_of_a_rung_eventfd_until_it_is_cleared()
    {
        using var epoll = Epoll.Create();
        using var a = EventFd.Create();
        using var b = EventFd.Create();
        epoll.Add(a.Fd, 7);
        epoll.Add(b.Fd, 9);
        Span<ulong> ready = stackalloc ulong[4];
        Assert.Equal(0, epoll.Wait(ready, 0));
        b.Ring();
        Assert.Equal(1, epoll.Wait(ready, 0));
        Assert.Equal(9ul, ready[0]);
        // Level-triggered: still ready until read.
        Assert.Equal(1, epoll.Wait(ready, 0));
        b.Clear();
        Assert.Equal(0, epoll.Wait(ready, 0));
        epoll.Remove(a.Fd);
        a.Ring();
        Assert.Equal(0, epoll.Wait(ready, 0));
    }

    [Fact]
    public void A_timerfd_fires_once_after_its_delay_and_not_when_disarmed()
    {
        using var epoll = Epoll.Create();
        using var timer = TimerFd.Create();
        epoll.Add(timer.Fd, 1);
        Span<ulong> ready = stackalloc ulong[1];
        var sw = Stopwatch.StartNew();
        timer.Arm(TimeSpan.FromMilliseconds(30));
        Assert.Equal(1, epoll.Wait(ready, 5000));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(29), $"fired after {sw.Elapsed.TotalMilliseconds} ms");
        Assert.True(timer.Acknowledge());
        Assert.False(timer.Acknowledge());
        timer.Arm(TimeSpan.FromMilliseconds(20));
        timer.Arm(null);
        Assert.Equal(0, epoll.Wait(ready, 60));
    }
    // The FDT 100 ms anomaly of 2026-11 (README, "Root cause of the silent stalls"): the old engine loop took a
    // deadline overdue by exactly 1 ms for Timeout.InfiniteTimeSpan (-1 ms) and waited forever. A deadline
    // that is due or overdue, by any amount, must never block.

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(-10000)]      // -1 ms, Timeout.InfiniteTimeSpan's value: the old sentinel
    public void A_wait_whose_deadline_is_due_or_overdue_returns_at_once(long ticks)
    {
        using var epoll = Epoll.Create();
        Assert.True(epoll.HasPreciseTimeout);
        Span<ulong> ready = stackalloc ulong[1];
        var sw = Stopwatch.StartNew();
        Assert.Equal(0, epoll.Wait(ready, TimeSpan.FromTicks(ticks)));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"waited {sw.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_precise_wait_honours_sub_millisecond_and_null_timeouts()
    {
        using var epoll = Epoll.Create();
        using var fd = EventFd.Create();
        epoll.Add(fd.Fd, 3);
        Span<ulong> ready = stackalloc ulong[1];
        var sw = Stopwatch.StartNew();
        Assert.Equal(0, epoll.Wait(ready, TimeSpan.FromMicroseconds(300)));
        Assert.True(sw.Elapsed >= TimeSpan.FromMicroseconds(250) && sw.Elapsed < TimeSpan.FromSeconds(1), $"{sw.Elapsed.TotalMilliseconds} ms");
        fd.Ring();
        Assert.Equal(1, epoll.Wait(ready, (TimeSpan?)null));   // null: no deadline, but ready at once
        Assert.Equal(3ul, ready[0]);
    }

    [Fact]
    public void A_timerfd_armed_with_zero_fires_at_once_instead_of_disarming()
    {
        using var epoll = Epoll.Create();
        using var timer = TimerFd.Create();
        epoll.Add(timer.Fd, 1);
        Span<ulong> ready = stackalloc ulong[1];
        timer.Arm(TimeSpan.Zero);   // it_value 0 would disarm: Arm clamps to 1 ns
        Assert.Equal(1, epoll.Wait(ready, 1000));
    }
}
