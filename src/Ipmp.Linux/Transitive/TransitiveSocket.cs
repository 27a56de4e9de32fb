using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Linux.Announce;

namespace Ipmp.Linux.Transitive;

/// <summary>
/// An AF_PACKET SOCK_DGRAM socket on one interface for one EtherType (transitive probing uses the local
/// experimental 0x88B5): the kernel adds and strips the Ethernet header, frames go unicast to a given MAC,
/// and each received frame comes with its sender's MAC and packet type. Non-blocking; needs CAP_NET_RAW.
/// Create it on a thread in the interface's network namespace.
/// </summary>
public sealed class TransitiveSocket : IDisposable
{
    /// <summary>sll_pkttype of a frame addressed to this interface's own MAC (PACKET_HOST).</summary>
    public const byte PacketHost = 0;

    private readonly Socket _socket;
    private EndPoint _from;

    private TransitiveSocket(Socket socket, int interfaceIndex, ushort etherType)
    {
        _socket = socket;
        InterfaceIndex = interfaceIndex;
        EtherType = etherType;
        _from = new PacketEndPoint(interfaceIndex, etherType);
    }

    public int InterfaceIndex { get; }
    public ushort EtherType { get; }
    public Socket Socket => _socket;
    public int Fd => (int)_socket.Handle;

    public static TransitiveSocket Create(int interfaceIndex, ushort etherType)
    {
        // The protocol is given in network order, as the PAL passes it through to socket(2) and bind(2).
        var socket = new Socket(AddressFamily.Packet, SocketType.Dgram, (ProtocolType)BinaryPrimitives.ReverseEndianness(etherType));
        try
        {
            socket.Bind(new PacketEndPoint(interfaceIndex, etherType));
            // Sends never wait for a wedged driver: EWOULDBLOCK shows up as a lost probe.
            socket.Blocking = false;
            return new TransitiveSocket(socket, interfaceIndex, etherType);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One frame to <paramref name="destination"/> out of this interface. A full buffer throws
    /// <see cref="SocketException"/> with <see cref="SocketError.WouldBlock"/>, as Socket.SendTo did.</summary>
    public void Send(ReadOnlySpan<byte> payload, PhysicalAddress destination)
    {
        if (!PacketFrame.Send(_socket.SafeHandle, payload, InterfaceIndex, EtherType, destination.GetAddressBytes()))
            throw RawSend.Error((int)LinuxErrno.EAGAIN);
    }

    /// <summary>The next queued frame, if any (false when none is queued): its length, sender and packet type
    /// (only <see cref="PacketHost"/> frames were sent to us; a SOCK_DGRAM packet socket also sees its own
    /// outgoing frames, as PACKET_OUTGOING).</summary>
    public bool TryReceive(Span<byte> buffer, out int length, out PhysicalAddress from, out byte packetType)
    {
        length = 0;
        from = PhysicalAddress.None;
        packetType = 0;
        if (_socket.Available == 0) return false;
        try
        {
            length = _socket.ReceiveFrom(buffer, SocketFlags.None, ref _from);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return false;
        }
        if (_from is PacketEndPoint p)
        {
            from = p.Address ?? PhysicalAddress.None;
            packetType = p.PacketType;
        }
        return true;
    }

    public void Dispose() => _socket.Dispose();
}
