using System.Buffers.Binary;

namespace Ipmp.Core.Probing;

/// <summary>
/// The payload of a transitive probe: an Ethernet frame of the local experimental EtherType 0x88B5 (IEEE
/// 802), unicast from one member to another and answered back. Layout, network order: "IPMP" (4), version
/// (1), op (1: request, 2: reply), identifier (2, the sender's, as in ICMP probes), sequence (2), timestamp
/// (8), per-run cookie (8); zero padding to the 46-byte Ethernet minimum. It carries no IP address, so
/// nothing on the link (switch, router, client) learns a neighbour entry from it.
/// </summary>
public readonly record struct TransitiveFrame(bool IsReply, ushort Identifier, ushort Sequence, ulong Timestamp, ulong Cookie)
{
    public const ushort EtherType = 0x88B5;
    public const int Length = 46;
    private const byte Version = 1, OpRequest = 1, OpReply = 2;
    private static ReadOnlySpan<byte> Magic => "IPMP"u8;

    public byte[] Encode()
    {
        var b = new byte[Length];
        Magic.CopyTo(b);
        b[4] = Version;
        b[5] = IsReply ? OpReply : OpRequest;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(6), Identifier);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(8), Sequence);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(10), Timestamp);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(18), Cookie);
        return b;
    }

    public static ushort SequenceOf(ReadOnlySpan<byte> frame) =>
        frame.Length >= 10 ? BinaryPrimitives.ReadUInt16BigEndian(frame[8..]) : (ushort)0;

    /// <summary>Decodes a frame of ours in shape (magic, version, op, length); anything else is false.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> frame, out TransitiveFrame decoded)
    {
        decoded = default;
        if (frame.Length < 26 || !frame[..4].SequenceEqual(Magic) || frame[4] != Version) return false;
        if (frame[5] is not (OpRequest or OpReply)) return false;
        decoded = new TransitiveFrame(frame[5] == OpReply,
            BinaryPrimitives.ReadUInt16BigEndian(frame[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(frame[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[10..]),
            BinaryPrimitives.ReadUInt64BigEndian(frame[18..]));
        return true;
    }

    /// <summary>The responder's rule (the daemon on the probed member, or the simulator): only a request that
    /// carries <paramref name="cookie"/> (this daemon's own) is answered, with the same frame as a reply; so
    /// the responder never reflects anyone else's traffic.</summary>
    public static bool TryMakeReply(ReadOnlySpan<byte> request, ulong cookie, out byte[] reply)
    {
        reply = [];
        if (!TryDecode(request, out var f) || f.IsReply || f.Cookie != cookie) return false;
        reply = (f with { IsReply = true }).Encode();
        return true;
    }
}
