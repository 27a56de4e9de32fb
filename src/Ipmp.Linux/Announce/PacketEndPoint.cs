using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ipmp.Linux.Announce;

/// <summary>
/// A link-layer address (sockaddr_ll) as a managed EndPoint, for AF_PACKET sockets, which System.Net.Sockets
/// supports (AddressFamily.Packet) but gives no endpoint type for.
/// </summary>
public sealed class PacketEndPoint(int interfaceIndex, ushort protocol, PhysicalAddress? address = null, byte packetType = 0) : EndPoint
{
    public int InterfaceIndex { get; } = interfaceIndex;
    /// <summary>The EtherType in host order (0x0806 = ARP, 0x0003 = all).</summary>
    public ushort Protocol { get; } = protocol;
    public PhysicalAddress? Address { get; } = address;
    /// <summary>PACKET_HOST (0), PACKET_BROADCAST (1), PACKET_MULTICAST (2), PACKET_OTHERHOST (3), PACKET_OUTGOING (4).</summary>
    public byte PacketType { get; } = packetType;

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    public override SocketAddress Serialize()
    {
        // SocketAddress writes the AF_PACKET family itself; the rest is patched in.
        var sa = new SocketAddress(AddressFamily.Packet, sockaddr_ll.Size);
        Span<byte> raw = stackalloc byte[sockaddr_ll.Size];
        new sockaddr_ll(Protocol, InterfaceIndex, 0, PacketType, 0, 0)
            .Write(raw, Address is null ? [] : Address.GetAddressBytes());
        for (var i = 2; i < raw.Length; i++) sa[i] = raw[i];
        return sa;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        Span<byte> raw = stackalloc byte[sockaddr_ll.Size];
        for (var i = 0; i < Math.Min(raw.Length, socketAddress.Size); i++) raw[i] = socketAddress[i];
        var (protocol, ifindex, pktType, addr) = sockaddr_ll.Read(raw);
        return new PacketEndPoint(ifindex, protocol, new PhysicalAddress(addr), pktType);
    }

    public override string ToString() => $"packet:{InterfaceIndex}/0x{Protocol:x4}/{Address}";
}
