using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux.Polling;

/// <summary>
/// An epoll(7) instance, level-triggered: a file descriptor that stays readable is reported again on the next
/// wait, so a consumer may read a bounded amount per turn (fairness) without losing anything. Each
/// registration carries a caller-chosen 64-bit token. Not thread-safe: one owner thread waits on it.
/// </summary>
public sealed class Epoll : IDisposable
{
    // struct epoll_event { uint32_t events; epoll_data_t data; } is __attribute__((packed)) on x86_64 only.
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _fd;
    private byte[] _events = new byte[64 * 16];
    private bool _disposed;

    private Epoll(int fd) => _fd = fd;

    public static Epoll Create()
    {
        var fd = Interop.Libc.EpollCreate1(Interop.Libc.EPOLL_CLOEXEC);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        return new Epoll(fd);
    }

    /// <summary>Watches <paramref name="fd"/> for input (and errors, which epoll always reports).</summary>
    public void Add(int fd, ulong token) => Control(Interop.Libc.EPOLL_CTL_ADD, fd, token);

    /// <summary>Stops watching <paramref name="fd"/>; a descriptor already closed is forgotten by the kernel anyway.</summary>
    public void Remove(int fd)
    {
        try
        {
            Control(Interop.Libc.EPOLL_CTL_DEL, fd, 0);
        }
        catch (SocketException e) when (e.ErrorCode is 2 or 9)   // ENOENT, EBADF
        {
        }
    }

    private unsafe void Control(int op, int fd, ulong token)
    {
        var ev = stackalloc byte[16];
        *(uint*)ev = Interop.Libc.EPOLLIN;
        *(ulong*)(ev + DataOffset) = token;
        if (Interop.Libc.EpollCtl(_fd, op, fd, ev) < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> (-1: forever, 0: do not wait) and writes the tokens of
    /// ready descriptors into <paramref name="ready"/>; returns how many. EINTR counts as nothing ready.</summary>
    public unsafe int Wait(Span<ulong> ready, int timeoutMs)
    {
        var max = Math.Min(ready.Length, _events.Length / Stride);
        int n;
        fixed (byte* p = _events) n = Interop.Libc.EpollWait(_fd, p, max, timeoutMs);
        return Collect(n, ready);
    }

    private static bool? _precise;

    /// <summary>Whether <see cref="Wait(Span{ulong}, TimeSpan?)"/> is available here (epoll_pwait2: Linux
    /// 5.11 and glibc 2.35); otherwise callers keep a timerfd for sub-millisecond deadlines.</summary>
    public bool HasPreciseTimeout
    {
        get
        {
            if (_precise is { } known) return known;
            try
            {
                Span<ulong> none = stackalloc ulong[1];
                Wait(none, TimeSpan.Zero);
                _precise = true;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or SocketException { ErrorCode: 38 })   // ENOSYS
            {
                _precise = false;
            }
            return _precise.Value;
        }
    }

    /// <summary>As <see cref="Wait(Span{ulong}, int)"/>, with a nanosecond-resolution timeout (null: forever;
    /// zero or less: do not wait).</summary>
    public unsafe int Wait(Span<ulong> ready, TimeSpan? timeout)
    {
        var max = Math.Min(ready.Length, _events.Length / Stride);
        var spec = default(Interop.Libc.timespec);
        if (timeout is { } t && t > TimeSpan.Zero)
        {
            var ns = t.Ticks * 100;
            spec.tv_sec = ns / 1_000_000_000;
            spec.tv_nsec = ns % 1_000_000_000;
        }
        int n;
        fixed (byte* p = _events) n = Interop.Libc.EpollPwait2(_fd, p, max, timeout is null ? null : &spec, null);
        return Collect(n, ready);
    }

    /// <summary>The tokens of a wait's <paramref name="n"/> ready descriptors (n &lt; 0: the wait failed; EINTR
    /// counts as nothing ready).</summary>
    private unsafe int Collect(int n, Span<ulong> ready)
    {
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 4) return 0;   // EINTR
            throw new SocketException(errno);
        }
        fixed (byte* p = _events)
            for (var i = 0; i < n; i++) ready[i] = *(ulong*)(p + i * Stride + DataOffset);
        return n;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interop.Libc.Close(_fd);
    }
}
