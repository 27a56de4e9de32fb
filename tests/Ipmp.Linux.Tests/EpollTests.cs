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
}
