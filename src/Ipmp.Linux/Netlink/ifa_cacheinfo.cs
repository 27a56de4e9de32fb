namespace Ipmp.Linux.Netlink;

/// <summary>struct ifa_cacheinfo (linux/if_addr.h), 16 bytes: lifetimes in seconds, stamps in 1/100 s.</summary>
internal readonly record struct ifa_cacheinfo(uint ifa_prefered, uint ifa_valid, uint cstamp, uint tstamp)
{
    public const int Size = 16;

    public static ifa_cacheinfo Read(ReadOnlySpan<byte> s) => new(
        HostOrder.ReadU32(s), HostOrder.ReadU32(s[4..]), HostOrder.ReadU32(s[8..]), HostOrder.ReadU32(s[12..]));

    public void Write(Span<byte> s)
    {
        HostOrder.WriteU32(s, ifa_prefered);
        HostOrder.WriteU32(s[4..], ifa_valid);
        HostOrder.WriteU32(s[8..], cstamp);
        HostOrder.WriteU32(s[12..], tstamp);
    }
}
