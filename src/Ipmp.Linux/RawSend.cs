using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Linux;

/// <summary>
/// sendto(2) with the destination's sockaddr built on the stack (see Interop.SendTo.cs for why), and the
/// errno of a failure as the <see cref="SocketException"/> that Socket.SendTo would have thrown.
/// </summary>
public static class RawSend
{
    /// <summary>sizeof(struct sockaddr_in6), the larger of the two.</summary>
    public const int MaxSockAddr = 28;

    /// <summary>Writes a sockaddr_in or sockaddr_in6 for <paramref name="address"/> (its ScopeId, or
    /// <paramref name="scopeId"/> when it has none) and returns its length.</summary>
    public static int WriteSockAddr(Span<byte> into, IPAddress address, ushort port = 0, uint scopeId = 0)
    {
        into[..MaxSockAddr].Clear();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(into, 2);             // AF_INET, host order
            BinaryPrimitives.WriteUInt16BigEndian(into[2..], port);
            address.TryWriteBytes(into[4..8], out _);
            return 16;
        }
        BinaryPrimitives.WriteUInt16LittleEndian(into, 10);                // AF_INET6
        BinaryPrimitives.WriteUInt16BigEndian(into[2..], port);
        address.TryWriteBytes(into[8..24], out _);
        BinaryPrimitives.WriteUInt32LittleEndian(into[24..], address.ScopeId != 0 ? (uint)address.ScopeId : scopeId);
        return 28;
    }

    /// <summary>Sends one datagram. False when the socket's buffer is full (EAGAIN); other errors throw.</summary>
    public static unsafe bool SendTo(SafeSocketHandle socket, ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> sockaddr)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = datagram)
            fixed (byte* a = sockaddr)
                n = Interop.Libc.SendTo(socket, p, (nuint)datagram.Length, 0, a, (uint)sockaddr.Length);
            if (n >= 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EINTR) continue;
            if (errno == Interop.Libc.EAGAIN) return false;
            throw Error(errno);
        }
    }

    /// <summary>The SocketException for a send's errno (the PAL's mapping for the errors a send meets).</summary>
    public static SocketException Error(int errno) => new((int)((LinuxErrno)errno switch
    {
        LinuxErrno.EAGAIN => SocketError.WouldBlock,
        LinuxErrno.ENETDOWN or LinuxErrno.ENODEV => SocketError.NetworkDown,
        LinuxErrno.ENETUNREACH => SocketError.NetworkUnreachable,
        LinuxErrno.EHOSTUNREACH => SocketError.HostUnreachable,
        LinuxErrno.ENOBUFS or LinuxErrno.ENOMEM => SocketError.NoBufferSpaceAvailable,
        LinuxErrno.EMSGSIZE => SocketError.MessageSize,
        LinuxErrno.EACCES or LinuxErrno.EPERM => SocketError.AccessDenied,
        LinuxErrno.EADDRNOTAVAIL => SocketError.AddressNotAvailable,
        LinuxErrno.EINVAL => SocketError.InvalidArgument,
        LinuxErrno.EBADF => SocketError.NotSocket,
        LinuxErrno.ECONNREFUSED => SocketError.ConnectionRefused,
        _ => SocketError.SocketError,
    }));
}
