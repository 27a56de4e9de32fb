namespace Ipmp.Linux.Netlink;

/// <summary>struct ifinfomsg (linux/rtnetlink.h), 16 bytes: the fixed header of RTM_*LINK.</summary>
internal readonly record struct ifinfomsg(byte ifi_family, ushort ifi_type, int ifi_index, uint ifi_flags, uint ifi_change)
{
    public const int Size = 16;

    public static ifinfomsg Read(ReadOnlySpan<byte> s) => new(
        s[0], HostOrder.ReadU16(s[2..]), HostOrder.ReadI32(s[4..]), HostOrder.ReadU32(s[8..]), HostOrder.ReadU32(s[12..]));

    public void Write(Span<byte> s)
    {
        s[..Size].Clear();
        s[0] = ifi_family;
        HostOrder.WriteU16(s[2..], ifi_type);
        HostOrder.WriteI32(s[4..], ifi_index);
        HostOrder.WriteU32(s[8..], ifi_flags);
        HostOrder.WriteU32(s[12..], ifi_change);
    }
}
