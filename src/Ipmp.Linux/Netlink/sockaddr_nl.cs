namespace Ipmp.Linux.Netlink;

/// <summary>struct sockaddr_nl (linux/netlink.h), 12 bytes: family 16, pad, port id, multicast groups bitmask.</summary>
internal readonly record struct sockaddr_nl(uint nl_pid, uint nl_groups)
{
    public const int Size = 12;
    public const ushort AF_NETLINK = 16;

    public static sockaddr_nl Read(ReadOnlySpan<byte> s) => new(HostOrder.ReadU32(s[4..]), HostOrder.ReadU32(s[8..]));

    public void Write(Span<byte> s)
    {
        s[..Size].Clear();
        HostOrder.WriteU16(s, AF_NETLINK);
        HostOrder.WriteU32(s[4..], nl_pid);
        HostOrder.WriteU32(s[8..], nl_groups);
    }
}
