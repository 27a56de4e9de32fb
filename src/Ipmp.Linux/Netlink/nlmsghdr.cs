namespace Ipmp.Linux.Netlink;

/// <summary>struct nlmsghdr (linux/netlink.h), 16 bytes, host byte order.</summary>
internal readonly record struct nlmsghdr(uint nlmsg_len, ushort nlmsg_type, ushort nlmsg_flags, uint nlmsg_seq, uint nlmsg_pid)
{
    public const int Size = 16;

    public static nlmsghdr Read(ReadOnlySpan<byte> s) => new(
        HostOrder.ReadU32(s), HostOrder.ReadU16(s[4..]), HostOrder.ReadU16(s[6..]),
        HostOrder.ReadU32(s[8..]), HostOrder.ReadU32(s[12..]));

    public void Write(Span<byte> s)
    {
        HostOrder.WriteU32(s, nlmsg_len);
        HostOrder.WriteU16(s[4..], nlmsg_type);
        HostOrder.WriteU16(s[6..], nlmsg_flags);
        HostOrder.WriteU32(s[8..], nlmsg_seq);
        HostOrder.WriteU32(s[12..], nlmsg_pid);
    }
}
