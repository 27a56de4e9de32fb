using System.Buffers.Binary;

namespace Ipmp.Core.Probing;

/// <summary>
/// The probe: an ICMP/ICMPv6 echo request laid out as illumos does (type, code, checksum, identifier,
/// sequence, 8-byte timestamp, 4-byte message type: 20 bytes), followed by an 8-byte per-run cookie so
/// that a stray or forged reply (a reply to another daemon's probe, or an old run's) never counts.
/// </summary>
public readonly record struct ProbePacket(
    bool IsV6,
    bool IsReply,
    ushort Identifier,
    ushort Sequence,
    ulong Timestamp,
    ProbeKind Kind,
    ulong Cookie)
{
    public const int Length = 28;
    public const byte EchoRequestV4 = 8, EchoReplyV4 = 0, EchoRequestV6 = 128, EchoReplyV6 = 129;

    public static ushort MakeIdentifier(int runId, int ifIndex) => (ushort)(((runId & 0xFF) << 8) | (ifIndex & 0xFF));

    public byte[] Encode()
    {
        var b = new byte[Length];
        b[0] = IsV6 ? (IsReply ? EchoReplyV6 : EchoRequestV6) : (IsReply ? EchoReplyV4 : EchoRequestV4);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(4), Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(8), Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), (uint)Kind);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(20), Cookie);
        // The kernel computes the ICMPv6 checksum (it covers a pseudo-header); IPv4's is ours.
        if (!IsV6) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), IcmpChecksum.Compute(b));
        return b;
    }

    /// <summary>Decodes an echo reply. Returns a reason on anything that is not one of ours in shape.</summary>
    public static bool TryDecodeReply(ReadOnlySpan<byte> icmp, bool isV6, out ProbePacket packet, out string? reason)
    {
        packet = default;
        reason = null;
        if (icmp.Length < 20)
        {
            reason = $"probe reply too short: {icmp.Length} bytes";
            return false;
        }
        var expectedType = isV6 ? EchoReplyV6 : EchoReplyV4;
        if (icmp[0] != expectedType)
        {
            reason = $"probe reply type: {icmp[0]}";
            return false;
        }
        if (icmp[1] != 0)
        {
            reason = isV6 ? $"probe reply code: {icmp[1]}" : $"probe reply code {icmp[1]}";
            return false;
        }
        if (!isV6 && IcmpChecksum.Compute(icmp) != 0)
        {
            reason = "probe reply checksum bad";
            return false;
        }
        var kind = (ProbeKind)BinaryPrimitives.ReadUInt32BigEndian(icmp[16..]);
        if (kind is not (ProbeKind.Unicast or ProbeKind.Multicast or ProbeKind.Rtt))
        {
            reason = $"probe reply message type: 0x{(uint)kind:x}";
            return false;
        }
        if (icmp.Length < Length)
        {
            reason = $"probe reply too short: {icmp.Length} bytes";
            return false;
        }
        packet = new ProbePacket(isV6, true,
            BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(icmp[8..]),
            kind,
            BinaryPrimitives.ReadUInt64BigEndian(icmp[20..]));
        return true;
    }

    /// <summary>What an echo responder sends back: the same message with the reply type (and, for IPv4, a
    /// fresh checksum). Used by the simulator's hosts.</summary>
    public static byte[] MakeEchoReply(ReadOnlySpan<byte> request, bool isV6)
    {
        var b = request.ToArray();
        b[0] = isV6 ? EchoReplyV6 : EchoReplyV4;
        b[2] = b[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), IcmpChecksum.Compute(b));
        return b;
    }
}
