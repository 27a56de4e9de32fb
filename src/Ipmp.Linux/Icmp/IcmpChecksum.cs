using System.Buffers.Binary;

namespace Ipmp.Linux.Icmp;

/// <summary>The Internet checksum (RFC 1071) over an ICMPv4 message. ICMPv6 checksums are left to the kernel.</summary>
public static class IcmpChecksum
{
    /// <summary>The one's complement of the one's complement sum of the 16-bit big-endian words.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        while (data.Length >= 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data);
            data = data[2..];
        }
        if (data.Length == 1) sum += (uint)data[0] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>Zeroes bytes 2-3, computes the checksum over the whole message and stores it there.</summary>
    public static void Fill(Span<byte> icmpMessage)
    {
        icmpMessage[2] = 0;
        icmpMessage[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmpMessage[2..], Compute(icmpMessage));
    }

    /// <summary>True when a received message's checksum verifies (the sum over it, checksum included, is 0).</summary>
    public static bool IsValid(ReadOnlySpan<byte> icmpMessage) => Compute(icmpMessage) == 0;
}
