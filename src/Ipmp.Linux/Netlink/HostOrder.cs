using System.Buffers.Binary;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Netlink headers and most attribute payloads are in host byte order (unlike IP headers). These helpers
/// pick the endianness once; the JIT folds the branch.
/// </summary>
internal static class HostOrder
{
    public static ushort ReadU16(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    public static uint ReadU32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    public static int ReadI32(ReadOnlySpan<byte> s) => unchecked((int)ReadU32(s));

    public static long ReadI64(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s);

    public static void WriteU16(Span<byte> s, ushort v)
    {
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        else BinaryPrimitives.WriteUInt16BigEndian(s, v);
    }

    public static void WriteU32(Span<byte> s, uint v)
    {
        if (BitConverter.IsLittleEndian) BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        else BinaryPrimitives.WriteUInt32BigEndian(s, v);
    }

    public static void WriteI32(Span<byte> s, int v) => WriteU32(s, unchecked((uint)v));
}
