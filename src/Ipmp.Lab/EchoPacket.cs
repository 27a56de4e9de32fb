using System.Buffers.Binary;
using Ipmp.Linux.Icmp;

namespace Ipmp.Lab;

/// <summary>
/// ICMP echo request in, echo reply out, as a host's kernel answers: the same identifier, sequence and
/// payload, type 0 (ICMPv6: 129), code 0, and a valid checksum. ICMPv4 checksums are computed here; the
/// kernel computes ICMPv6 ones on a raw ICMPv6 socket (RFC 3542), so the field is left 0.
/// </summary>
public static class EchoPacket
{
    public const byte EchoRequestV4 = 8;
    public const byte EchoReplyV4 = 0;
    public const byte EchoRequestV6 = 128;
    public const byte EchoReplyV6 = 129;
    private const int EchoHeader = 8;

    /// <summary>The ICMP message of an echo request, or false. A raw IPv4 socket delivers the IP header
    /// too (skipped by its IHL); a raw ICMPv6 socket delivers the ICMPv6 message alone.</summary>
    public static bool TryGetRequest(ReadOnlySpan<byte> received, bool v6, out ReadOnlySpan<byte> icmp)
    {
        icmp = default;
        if (!v6)
        {
            if (received.Length < 20 || received[0] >> 4 != 4) return false;
            var ihl = (received[0] & 0x0F) * 4;
            if (ihl < 20 || received.Length < ihl + EchoHeader) return false;
            var message = received[ihl..];
            if (message[0] != EchoRequestV4 || message[1] != 0 || !IcmpChecksum.IsValid(message)) return false;
            icmp = message;
            return true;
        }
        if (received.Length < EchoHeader || received[0] != EchoRequestV6 || received[1] != 0) return false;
        icmp = received;
        return true;
    }

    /// <summary>The reply to <paramref name="request"/> (an ICMP echo request message).</summary>
    public static byte[] Reply(ReadOnlySpan<byte> request, bool v6)
    {
        var reply = request.ToArray();
        reply[0] = v6 ? EchoReplyV6 : EchoReplyV4;
        reply[1] = 0;
        if (v6)
        {
            reply[2] = 0;
            reply[3] = 0;
        }
        else
        {
            IcmpChecksum.Fill(reply);
        }
        return reply;
    }

    public static ushort Identifier(ReadOnlySpan<byte> icmp) => BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]);

    public static ushort Sequence(ReadOnlySpan<byte> icmp) => BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]);
}
