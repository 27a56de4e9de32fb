namespace Ipmp.Linux.Netlink;

/// <summary>struct nhmsg (linux/nexthop.h), 8 bytes: the fixed header of RTM_*NEXTHOP.</summary>
internal readonly record struct nhmsg(byte nh_family, byte nh_scope, byte nh_protocol, byte resvd, uint nh_flags)
{
    public const int Size = 8;

    public static nhmsg Read(ReadOnlySpan<byte> s) => new(s[0], s[1], s[2], s[3], HostOrder.ReadU32(s[4..]));

    public void Write(Span<byte> s)
    {
        s[0] = nh_family;
        s[1] = nh_scope;
        s[2] = nh_protocol;
        s[3] = resvd;
        HostOrder.WriteU32(s[4..], nh_flags);
    }
}
