using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux.Polling;

/// <summary>A CLOCK_MONOTONIC timerfd(2): one-shot, nanosecond resolution, readable through epoll when it
/// expires (epoll_wait's own timeout has only millisecond resolution).</summary>
public sealed class TimerFd : IDisposable
{
    private bool _disposed;

    private TimerFd(int fd) => Fd = fd;

    public int Fd { get; }

    public static TimerFd Create()
    {
        var fd = Interop.Libc.TimerFdCreate(Interop.Libc.CLOCK_MONOTONIC, Interop.Libc.TFD_NONBLOCK | Interop.Libc.TFD_CLOEXEC);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        return new TimerFd(fd);
    }

    /// <summary>Fires once after <paramref name="delay"/> (at least 1 ns: zero would disarm it); null disarms.</summary>
    public unsafe void Arm(TimeSpan? delay)
    {
        var spec = default(Interop.Libc.itimerspec);
        if (delay is { } d)
        {
            var ns = Math.Max(1L, d.Ticks * 100);
            spec.it_value.tv_sec = ns / 1_000_000_000;
            spec.it_value.tv_nsec = ns % 1_000_000_000;
        }
        if (Interop.Libc.TimerFdSetTime(Fd, 0, &spec, null) < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Clears the expiry (non-blocking read); false when it had not expired.</summary>
    public unsafe bool Acknowledge()
    {
        ulong expirations;
        return Interop.Libc.Read(Fd, &expirations, sizeof(ulong)) == sizeof(ulong);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interop.Libc.Close(Fd);
    }
}
