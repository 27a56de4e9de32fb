namespace Ipmp.Linux.Netlink;

/// <summary>struct rtattr (linux/rtnetlink.h), the 4-byte TLV header; rta_len includes the header, not the padding.</summary>
internal readonly record struct rtattr(ushort rta_len, ushort rta_type)
{
    public const int Size = 4;

    /// <summary>NLA_F_NESTED and NLA_F_NET_BYTEORDER share the type field; they are not part of the type.</summary>
    public const ushort TypeMask = 0x3FFF;
    public const ushort NLA_F_NESTED = 0x8000;

    public static rtattr Read(ReadOnlySpan<byte> s) => new(HostOrder.ReadU16(s), HostOrder.ReadU16(s[2..]));

    public void Write(Span<byte> s)
    {
        HostOrder.WriteU16(s, rta_len);
        HostOrder.WriteU16(s[2..], rta_type);
    }
}
