using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ipmp.Linux.Announce;

/// <summary>
/// Gratuitous ARP: an ARP request for our own address (sender = target = the address), broadcast, so
/// neighbours that already cache the address update it to our MAC (after an address moved to this NIC).
/// Sent through AF_PACKET SOCK_DGRAM, so the kernel adds the Ethernet header. Needs CAP_NET_RAW.
/// </summary>
public static class GratuitousArp
{
    public const ushort EtherTypeArp = 0x0806;
    private const int ArpLength = 28;

    /// <summary>Builds the 28-byte ARP payload (RFC 5227 ARP announcement).</summary>
    public static byte[] Build(PhysicalAddress mac, IPAddress address)
    {
        var sha = mac.GetAddressBytes();
        if (sha.Length != 6) throw new ArgumentException("an Ethernet MAC address is expected", nameof(mac));
        if (address.AddressFamily != AddressFamily.InterNetwork) throw new ArgumentException("an IPv4 address is expected", nameof(address));
        var spa = address.GetAddressBytes();
        var p = new byte[ArpLength];
        BinaryPrimitives.WriteUInt16BigEndian(p, 1);           // htype Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 0x0800); // ptype IPv4
        p[4] = 6;                                              // hlen
        p[5] = 4;                                              // plen
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(6), 1); // request
        sha.CopyTo(p, 8);
        spa.CopyTo(p, 14);
        // Target hardware address stays zero (unknown), as in an RFC 5227 announcement.
        spa.CopyTo(p, 24);
        return p;
    }

    /// <summary>Sends one gratuitous ARP out of <paramref name="interfaceIndex"/> through a socket of its own; the
    /// daemon keeps one <see cref="GratuitousArpSender"/> instead.</summary>
    public static void Send(int interfaceIndex, PhysicalAddress mac, IPAddress address)
    {
        using var sender = new GratuitousArpSender();
        sender.Send(interfaceIndex, mac, address);
    }
}
