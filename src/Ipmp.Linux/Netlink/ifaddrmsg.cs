namespace Ipmp.Linux.Netlink;

/// <summary>struct ifaddrmsg (linux/if_addr.h), 8 bytes: the fixed header of RTM_*ADDR.</summary>
internal readonly record struct ifaddrmsg(byte ifa_family, byte ifa_prefixlen, byte ifa_flags, byte ifa_scope, int ifa_index)
{
    public const int Size = 8;

    public static ifaddrmsg Read(ReadOnlySpan<byte> s) => new(s[0], s[1], s[2], s[3], HostOrder.ReadI32(s[4..]));

    public void Write(Span<byte> s)
    {
        s[0] = ifa_family;
        s[1] = ifa_prefixlen;
        s[2] = ifa_flags;
        s[3] = ifa_scope;
        HostOrder.WriteI32(s[4..], ifa_index);
    }
}
