using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ipmp.Linux.Announce;

/// <summary>
/// Sends gratuitous ARPs through one AF_PACKET socket, opened at the first announcement (in the caller's
/// network namespace) and kept. A socket per announcement cost the failover path its close: packet_release
/// waits for an RCU grace period (<c>synchronize_net</c>), measured here at 0.05 to 2.3 ms on the event loop,
/// in front of everything after the announcement. Protocol 0: the socket only sends (the kernel hooks no
/// receive handler for it, so nothing queues on it); each frame names its EtherType in its sockaddr_ll.
/// </summary>
public sealed class GratuitousArpSender : IDisposable
{
    private static ReadOnlySpan<byte> BroadcastBytes => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    private Socket? _socket;

    /// <summary>One gratuitous ARP for <paramref name="address"/> from <paramref name="mac"/> out of
    /// <paramref name="interfaceIndex"/>. Throws <see cref="ArgumentException"/> for a MAC that is not Ethernet's.</summary>
    public void Send(int interfaceIndex, PhysicalAddress mac, IPAddress address)
    {
        var payload = GratuitousArp.Build(mac, address);
        ObjectDisposedException.ThrowIf(_disposed, this);
        _socket ??= new Socket(AddressFamily.Packet, SocketType.Dgram, ProtocolType.Unspecified);
        // A full buffer (EAGAIN) drops this one; the repeats follow.
        PacketFrame.Send(_socket.SafeHandle, payload, interfaceIndex, GratuitousArp.EtherTypeArp, BroadcastBytes);
    }

    private bool _disposed;

    public void Dispose()
    {
        _disposed = true;
        _socket?.Dispose();
        _socket = null;
    }
}
