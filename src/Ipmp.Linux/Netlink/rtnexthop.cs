namespace Ipmp.Linux.Netlink;

/// <summary>
/// struct rtnexthop (linux/rtnetlink.h), 8 bytes, one entry inside RTA_MULTIPATH; its own attributes
/// (RTA_GATEWAY) follow it, and rtnh_len covers both.
/// </summary>
internal readonly record struct rtnexthop(ushort rtnh_len, byte rtnh_flags, byte rtnh_hops, int rtnh_ifindex)
{
    public const int Size = 8;

    public static rtnexthop Read(ReadOnlySpan<byte> s) => new(HostOrder.ReadU16(s), s[2], s[3], HostOrder.ReadI32(s[4..]));

    public void Write(Span<byte> s)
    {
        HostOrder.WriteU16(s, rtnh_len);
        s[2] = rtnh_flags;
        s[3] = rtnh_hops;
        HostOrder.WriteI32(s[4..], rtnh_ifindex);
    }
}
