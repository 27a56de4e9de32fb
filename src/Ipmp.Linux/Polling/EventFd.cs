using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux.Polling;

/// <summary>An eventfd(2) used as a doorbell: any thread rings it, the loop's epoll wakes.</summary>
public sealed class EventFd : IDisposable
{
    private bool _disposed;

    private EventFd(int fd) => Fd = fd;

    public int Fd { get; }

    public static EventFd Create()
    {
        var fd = Interop.Libc.EventFd(0, Interop.Libc.EFD_NONBLOCK | Interop.Libc.EFD_CLOEXEC);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        return new EventFd(fd);
    }

    public unsafe void Ring()
    {
        ulong one = 1;
        Interop.Libc.Write(Fd, &one, sizeof(ulong));
    }

    /// <summary>Clears the doorbell (non-blocking).</summary>
    public unsafe void Clear()
    {
        ulong value;
        Interop.Libc.Read(Fd, &value, sizeof(ulong));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Interop.Libc.Close(Fd);
    }
}
