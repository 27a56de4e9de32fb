namespace Ipmp.Linux.Netlink;

/// <summary>
/// struct nlmsgerr (linux/netlink.h): a negative errno (0 = ACK) followed by the offending request's
/// header (and its payload unless NLM_F_CAPPED), then extended-ack TLVs when NLM_F_ACK_TLVS is set.
/// </summary>
internal readonly record struct nlmsgerr(int error, nlmsghdr msg)
{
    public const int Size = 4 + nlmsghdr.Size;

    public static nlmsgerr Read(ReadOnlySpan<byte> s) => new(HostOrder.ReadI32(s), nlmsghdr.Read(s[4..]));
}
