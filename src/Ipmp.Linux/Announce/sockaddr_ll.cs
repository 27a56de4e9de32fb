using System.Buffers.Binary;

namespace Ipmp.Linux.Announce;

/// <summary>
/// struct sockaddr_ll (linux/if_packet.h), 20 bytes: family, protocol (network order), ifindex,
/// hatype, pkttype, halen, addr[8].
/// </summary>
internal readonly record struct sockaddr_ll(ushort sll_protocol, int sll_ifindex, ushort sll_hatype, byte sll_pkttype, byte sll_halen, ulong sll_addr)
{
    public const int Size = 20;
    public const ushort AF_PACKET = 17;

    public void Write(Span<byte> s, ReadOnlySpan<byte> address)
    {
        s[..Size].Clear();
        BitConverter.TryWriteBytes(s, AF_PACKET);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], sll_protocol);
        BitConverter.TryWriteBytes(s[4..], sll_ifindex);
        BitConverter.TryWriteBytes(s[8..], sll_hatype);
        s[10] = sll_pkttype;
        s[11] = (byte)Math.Min(address.Length, 8);
        address[..Math.Min(address.Length, 8)].CopyTo(s[12..]);
    }

    public static (ushort Protocol, int IfIndex, byte PktType, byte[] Address) Read(ReadOnlySpan<byte> s)
    {
        var halen = Math.Min((int)s[11], 8);
        return (BinaryPrimitives.ReadUInt16BigEndian(s[2..]), BitConverter.ToInt32(s[4..]), s[10], s.Slice(12, halen).ToArray());
    }
}
