using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ipmp.Linux.Announce;

/// <summary>
/// Unsolicited neighbour advertisement (RFC 4861 7.2.6): to ff02::1, hop limit 255, override flag set,
/// with a target link-layer address option, sent from the address itself. Neighbours that cache the
/// address switch to our MAC. Needs CAP_NET_RAW.
/// </summary>
public static class UnsolicitedNeighborAdvertisement
{
    private const byte TypeNeighborAdvertisement = 136;
    private const byte FlagRouter = 0x80;
    private const byte FlagOverride = 0x20;
    private const byte OptionTargetLinkLayerAddress = 2;

    /// <summary>The 32-byte ICMPv6 message; the checksum is left 0 for the kernel to fill in.</summary>
    public static byte[] Build(PhysicalAddress mac, IPAddress address, bool router = false)
    {
        var lladdr = mac.GetAddressBytes();
        if (lladdr.Length != 6) throw new ArgumentException("an Ethernet MAC address is expected", nameof(mac));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) throw new ArgumentException("an IPv6 address is expected", nameof(address));
        var m = new byte[32];
        m[0] = TypeNeighborAdvertisement;
        m[4] = (byte)(FlagOverride | (router ? FlagRouter : 0)); // Solicited stays 0: nobody asked
        address.GetAddressBytes().CopyTo(m, 8);
        m[24] = OptionTargetLinkLayerAddress;
        m[25] = 1; // option length in units of 8 bytes
        lladdr.CopyTo(m, 26);
        return m;
    }

    /// <summary>Sends one unsolicited NA for <paramref name="address"/> out of <paramref name="interfaceIndex"/>.</summary>
    /// <param name="router">Set the router flag (only if this host is a router, or neighbours drop it from their router list).</param>
    public static void Send(int interfaceIndex, PhysicalAddress mac, IPAddress address, bool router = false)
    {
        var message = Build(mac, address, router);
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
        socket.SetRawSocketOption(SockOpt.SOL_SOCKET, SockOpt.SO_BINDTOIFINDEX, SockOpt.Int(interfaceIndex));
        // Receivers drop NDP messages whose hop limit is not 255 (proof they were not routed).
        socket.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_MULTICAST_HOPS, SockOpt.Int(255));
        socket.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_MULTICAST_IF, SockOpt.Int(interfaceIndex));
        // The address may be fresh (still tentative on this NIC); FREEBIND lets us use it as the source.
        socket.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_FREEBIND, SockOpt.Int(1));
        var source = address.IsIPv6LinkLocal ? new IPAddress(address.GetAddressBytes(), interfaceIndex) : address;
        socket.Bind(new IPEndPoint(source, 0));
        socket.SendTo(message, new IPEndPoint(new IPAddress(AllNodes, interfaceIndex), 0));
    }

    private static readonly byte[] AllNodes = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
}
