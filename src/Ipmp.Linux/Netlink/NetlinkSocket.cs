using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// An AF_NETLINK socket adopted into System.Net.Sockets, so reads go through the runtime's epoll engine
/// (async, cancellable). The socket lives in the network namespace of the thread that created it.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int SOL_SOCKET = 1;
    private const int SO_RCVBUFFORCE = 33;

    private readonly Socket _socket;
    private readonly byte[] _peek = new byte[nlmsghdr.Size];
    private byte[] _buffer = new byte[32 * 1024];

    private NetlinkSocket(Socket socket, uint portId)
    {
        _socket = socket;
        PortId = portId;
    }

    /// <summary>The port id the kernel assigned at bind; replies to our requests carry it in nlmsg_pid.</summary>
    public uint PortId { get; }

    public Socket Socket => _socket;

    public static NetlinkSocket Open(int protocol, int receiveBufferSize)
    {
        var fd = Interop.Libc.Socket(Interop.Libc.AF_NETLINK, Interop.Libc.SOCK_RAW | Interop.Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            // Errors carry the kernel's text; ACKs do not echo the request back; dumps reject bad filters
            // instead of silently ignoring them.
            socket.SetRawSocketOption(Nl.SOL_NETLINK, Nl.NETLINK_EXT_ACK, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(Nl.SOL_NETLINK, Nl.NETLINK_CAP_ACK, BitConverter.GetBytes(1));
            socket.SetRawSocketOption(Nl.SOL_NETLINK, Nl.NETLINK_GET_STRICT_CHK, BitConverter.GetBytes(1));
            SetReceiveBuffer(socket, receiveBufferSize);
            socket.Bind(new NetlinkEndPoint(0, 0));
            var local = (NetlinkEndPoint)socket.LocalEndPoint!;
            return new NetlinkSocket(socket, local.PortId);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void SetReceiveBuffer(Socket socket, int size)
    {
        // SO_RCVBUFFORCE (CAP_NET_ADMIN) may exceed net.core.rmem_max; a full queue loses events.
        try
        {
            socket.SetRawSocketOption(SOL_SOCKET, SO_RCVBUFFORCE, BitConverter.GetBytes(size));
        }
        catch (SocketException)
        {
            socket.ReceiveBufferSize = size;
        }
    }

    public void AddMembership(int group) =>
        _socket.SetRawSocketOption(Nl.SOL_NETLINK, Nl.NETLINK_ADD_MEMBERSHIP, BitConverter.GetBytes(group));

    /// <summary>struct sockaddr_nl of the kernel: AF_NETLINK, port 0, no groups.</summary>
    private static ReadOnlySpan<byte> KernelAddress => [16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Sends one request to the kernel (the kernel handles it inside this call). A full buffer
    /// throws <see cref="SocketException"/> with <see cref="SocketError.WouldBlock"/>, as Socket.SendTo did.</summary>
    public void Send(ReadOnlySpan<byte> message)
    {
        if (!RawSend.SendTo(_socket.SafeHandle, message, KernelAddress)) throw RawSend.Error((int)LinuxErrno.EAGAIN);
    }

    /// <summary>
    /// Receives one whole datagram; the returned memory is valid until the next call. A peek with
    /// MSG_TRUNC reports the full size first, so a large dump chunk is never cut. ENOBUFS surfaces as a
    /// <see cref="SocketException"/> with <see cref="SocketError.NoBufferSpaceAvailable"/>.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var size = await _socket.ReceiveAsync(_peek, SocketFlags.Peek | SocketFlags.Truncated, cancellationToken)
                .ConfigureAwait(false);
            if (size > _buffer.Length) _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
            var n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n > 0) return _buffer.AsMemory(0, n);
        }
    }

    /// <summary>Blocking form of <see cref="ReceiveAsync"/>: one whole datagram, or null when none came
    /// within <paramref name="timeout"/>. The returned memory is valid until the next call.</summary>
    public ReadOnlyMemory<byte>? Receive(TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            var left = deadline - Environment.TickCount64;
            if (left < 0 || !_socket.Poll(TimeSpan.FromMilliseconds(left), SelectMode.SelectRead)) return null;
            try
            {
                var size = _socket.Receive(_peek, SocketFlags.Peek | SocketFlags.Truncated);
                if (size > _buffer.Length) _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
                var n = _socket.Receive(_buffer, SocketFlags.None);
                if (n > 0) return _buffer.AsMemory(0, n);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
            }
        }
    }

    /// <summary>
    /// Receives one whole datagram without waiting: null when nothing is queued. Requires
    /// <c>Socket.Blocking = false</c>. ENOBUFS surfaces as a <see cref="SocketException"/>.
    /// </summary>
    public ReadOnlyMemory<byte>? TryReceive()
    {
        try
        {
            var size = _socket.Receive(_peek, SocketFlags.Peek | SocketFlags.Truncated);
            if (size > _buffer.Length) _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
            var n = _socket.Receive(_buffer, SocketFlags.None);
            return _buffer.AsMemory(0, n);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads and discards everything queued, without waiting; returns the number of datagrams dropped.
    /// Requires <c>Socket.Blocking = false</c>. An ENOBUFS met while draining is part of the same loss.
    /// </summary>
    public int Drain()
    {
        var dropped = 0;
        while (true)
        {
            try
            {
                _socket.Receive(_buffer, SocketFlags.Truncated);
                dropped++;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return dropped;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
