using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux.Polling;

/// <summary>
/// One thread that waits in poll(2) on many sockets and calls each socket's handler on that thread when
/// it becomes readable (the handler drains it). For a daemon with a few packets per second per socket this
/// is one wake-up per packet, where the runtime's async sockets cost an epoll thread, a thread-pool hop
/// and a re-arm per packet. An eventfd wakes the thread when the set of sockets changes.
/// </summary>
public sealed class SocketPoller : IDisposable
{
    private readonly object _lock = new();   // a monitor: Remove waits for the poll thread
    private readonly Dictionary<Socket, Action> _handlers = [];
    private readonly int _wake;
    private readonly Thread _thread;
    private volatile bool _disposed;
    private bool _changed = true;
    private long _generation;          // bumped by every change
    private long _appliedGeneration;   // the generation the poll set was last built from

    public SocketPoller(string name)
    {
        _wake = Interop.Libc.EventFd(0, Interop.Libc.EFD_NONBLOCK | Interop.Libc.EFD_CLOEXEC);
        if (_wake < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        _thread = new Thread(Loop) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Failures of a handler (the poller keeps going).</summary>
    public long HandlerErrors { get; private set; }

    public void Add(Socket socket, Action onReadable)
    {
        lock (_lock)
        {
            _handlers[socket] = onReadable;
            _changed = true;
            _generation++;
        }
        Wake();
    }

    /// <summary>Stops watching <paramref name="socket"/>. When it returns (called from another thread), the
    /// handler is not running and will not be called again, so the socket may be disposed.</summary>
    public void Remove(Socket socket)
    {
        long generation;
        lock (_lock)
        {
            if (!_handlers.Remove(socket)) return;
            _changed = true;
            generation = ++_generation;
        }
        Wake();
        if (Thread.CurrentThread == _thread) return;   // from a handler: the set is rebuilt before the next poll
        lock (_lock)
        {
            while (_appliedGeneration < generation && !_disposed) Monitor.Wait(_lock, 100);
        }
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        Interop.Libc.Write(_wake, &one, sizeof(ulong));
    }

    private unsafe void Loop()
    {
        var fds = Array.Empty<Interop.Libc.pollfd>();
        var handlers = Array.Empty<(Socket Socket, Action Handler)>();
        while (!_disposed)
        {
            lock (_lock)
            {
                if (_changed)
                {
                    handlers = [.. _handlers.Select(kv => (kv.Key, kv.Value))];
                    fds = new Interop.Libc.pollfd[handlers.Length + 1];
                    fds[0] = new Interop.Libc.pollfd { fd = _wake, events = Interop.Libc.POLLIN };
                    for (var i = 0; i < handlers.Length; i++)
                        fds[i + 1] = new Interop.Libc.pollfd { fd = (int)handlers[i].Socket.Handle, events = Interop.Libc.POLLIN };
                    _changed = false;
                }
                if (_appliedGeneration != _generation)
                {
                    _appliedGeneration = _generation;
                    Monitor.PulseAll(_lock);
                }
            }
            int n;
            fixed (Interop.Libc.pollfd* p = fds) n = Interop.Libc.Poll(p, (nuint)fds.Length, -1);
            if (n < 0) continue;   // EINTR
            if (fds[0].revents != 0)
            {
                ulong value;
                Interop.Libc.Read(_wake, &value, sizeof(ulong));
            }
            for (var i = 1; i < fds.Length; i++)
            {
                if (fds[i].revents == 0) continue;
                try
                {
                    handlers[i - 1].Handler();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    HandlerErrors++;
                }
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_lock) Monitor.PulseAll(_lock);
        Wake();
        _thread.Join(TimeSpan.FromSeconds(2));
        Interop.Libc.Close(_wake);
    }
}
