namespace Ipmp.Linux.Netlink;

/// <summary>struct rtmsg (linux/rtnetlink.h), 12 bytes: the fixed header of RTM_*ROUTE.</summary>
internal readonly record struct rtmsg(
    byte rtm_family, byte rtm_dst_len, byte rtm_src_len, byte rtm_tos,
    byte rtm_table, byte rtm_protocol, byte rtm_scope, byte rtm_type, uint rtm_flags)
{
    public const int Size = 12;

    public static rtmsg Read(ReadOnlySpan<byte> s) => new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], HostOrder.ReadU32(s[8..]));

    public void Write(Span<byte> s)
    {
        s[0] = rtm_family;
        s[1] = rtm_dst_len;
        s[2] = rtm_src_len;
        s[3] = rtm_tos;
        s[4] = rtm_table;
        s[5] = rtm_protocol;
        s[6] = rtm_scope;
        s[7] = rtm_type;
        HostOrder.WriteU32(s[8..], rtm_flags);
    }
}
