using System.Net.Sockets;

namespace Ipmp.Linux.Announce;

/// <summary>
/// One frame out of an AF_PACKET SOCK_DGRAM socket (the kernel adds the Ethernet header), with its
/// sockaddr_ll built on the stack: the gratuitous ARPs of a failover and the transitive probes send this
/// way, not through Socket.SendTo and a new PacketEndPoint each time.
/// </summary>
internal static class PacketFrame
{
    /// <summary>False when the socket's buffer is full (EAGAIN); other errors throw <see cref="SocketException"/>.</summary>
    public static bool Send(SafeSocketHandle socket, ReadOnlySpan<byte> payload, int interfaceIndex, ushort etherType,
        ReadOnlySpan<byte> destination)
    {
        Span<byte> to = stackalloc byte[sockaddr_ll.Size];
        new sockaddr_ll(etherType, interfaceIndex, 0, 0, 0, 0).Write(to, destination);
        return RawSend.SendTo(socket, payload, to);
    }
}
