namespace Ipmp.Linux;

/// <summary>Linux setsockopt levels and names that System.Net.Sockets has no enum member for.</summary>
internal static class SockOpt
{
    public const int SOL_SOCKET = 1;
    public const int SO_TIMESTAMPNS = 35;     // SCM_TIMESTAMPNS; 16-byte timespec on 64-bit
    public const int SO_BINDTOIFINDEX = 62;

    public const int IPPROTO_IP = 0;
    public const int IP_TTL = 2;
    public const int IP_PKTINFO = 8;
    public const int IP_FREEBIND = 15;
    public const int IP_MULTICAST_IF = 32;
    public const int IP_MULTICAST_TTL = 33;
    public const int IP_MULTICAST_LOOP = 34;

    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_MULTICAST_IF = 17;
    public const int IPV6_MULTICAST_HOPS = 18;
    public const int IPV6_MULTICAST_LOOP = 19;
    public const int IPV6_RECVPKTINFO = 49;
    public const int IPV6_PKTINFO = 50;
    public const int IPV6_RECVHOPLIMIT = 51;
    public const int IPV6_HOPLIMIT = 52;
    public const int IPV6_FREEBIND = 78;

    public const int SOL_RAW = 255;
    public const int ICMP_FILTER = 1;
    public const int IPPROTO_ICMPV6 = 58;
    public const int ICMP6_FILTER = 1;

    public static byte[] Int(int value) => BitConverter.GetBytes(value);
}
