using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Ipmp.Bench.Lab;

/// <summary>
/// A minimal blocking rtnetlink listener (libc socket/bind/recv) for link and IPv4 address notifications,
/// so a dedicated thread can sit in recv(2) and stamp each datagram the moment the kernel hands it over
/// (the daemon's RtNetlinkMonitor is async: its continuations wait for a thread-pool thread).
/// </summary>
public sealed class RawNetlink : IDisposable
{
    private const int AF_NETLINK = 16, SOCK_RAW = 3, NETLINK_ROUTE = 0;
    private const uint RTMGRP_LINK = 0x1, RTMGRP_IPV4_IFADDR = 0x10;
    private const int SOL_SOCKET = 1, SO_RCVTIMEO = 20, SO_RCVBUF = 8;
    private const ushort RTM_NEWLINK = 16, RTM_NEWADDR = 20;
    private const uint IFF_LOWER_UP = 0x10000;

    private readonly int _fd;

    [DllImport("libc", SetLastError = true)] private static extern int socket(int domain, int type, int protocol);
    [DllImport("libc", SetLastError = true)] private static extern int bind(int fd, byte[] addr, int len);
    [DllImport("libc", SetLastError = true)] private static extern nint recv(int fd, byte[] buf, nint len, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int setsockopt(int fd, int level, int name, byte[] value, int len);
    [DllImport("libc")] private static extern int close(int fd);

    /// <summary>Call on a thread that is in the wanted namespace.</summary>
    public RawNetlink()
    {
        _fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
        if (_fd < 0) throw new IOException($"netlink socket: errno {Marshal.GetLastPInvokeError()}");
        var addr = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(addr, AF_NETLINK);
        BinaryPrimitives.WriteUInt32LittleEndian(addr.AsSpan(8), RTMGRP_LINK | RTMGRP_IPV4_IFADDR);
        if (bind(_fd, addr, addr.Length) != 0) throw new IOException($"netlink bind: errno {Marshal.GetLastPInvokeError()}");
        var tv = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(tv.AsSpan(8), 200_000); // 200 ms, so the reader can stop
        setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, tv, tv.Length);
        var size = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, 4 << 20);
        setsockopt(_fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    }

    /// <summary>Blocks up to 200 ms; returns the datagram length, or 0 on timeout.</summary>
    public int Receive(byte[] buffer)
    {
        var n = recv(_fd, buffer, buffer.Length, 0);
        return n > 0 ? (int)n : 0;
    }

    public abstract record Event;
    public sealed record Link(int Index, bool LowerUp) : Event;
    public sealed record Address(int Index, IPAddress Value) : Event;
    /// <summary>A bridge port's STP state (AF_BRIDGE RTM_NEWLINK, IFLA_PROTINFO/IFLA_BRPORT_STATE), sent by the
    /// bridge's namespace when `bridge link set ... state N` takes effect: 0 disabled, 3 forwarding.</summary>
    public sealed record BridgePort(int Index, byte State) : Event;

    private const byte AF_BRIDGE = 7;
    private const ushort IFLA_PROTINFO = 12, IFLA_BRPORT_STATE = 1, NLA_TYPE_MASK = 0x3FFF;

    /// <summary>The link (RTM_NEWLINK) and new IPv4 address (RTM_NEWADDR) messages of one datagram.</summary>
    public static List<Event> Parse(ReadOnlySpan<byte> datagram)
    {
        var events = new List<Event>();
        while (datagram.Length >= 16)
        {
            var len = (int)BinaryPrimitives.ReadUInt32LittleEndian(datagram);
            if (len < 16 || len > datagram.Length) break;
            var type = BinaryPrimitives.ReadUInt16LittleEndian(datagram[4..]);
            var payload = datagram[16..len];
            if (type == RTM_NEWLINK && payload.Length >= 16 && payload[0] == AF_BRIDGE)
            {
                if (BridgePortState(payload[16..]) is { } state)
                    events.Add(new BridgePort(BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), state));
            }
            else if (type == RTM_NEWLINK && payload.Length >= 16)
                events.Add(new Link(BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), (BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]) & IFF_LOWER_UP) != 0));
            else if (type == RTM_NEWADDR && payload.Length >= 8 && payload[0] == 2)
            {
                var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
                IPAddress? local = null, address = null;
                var attrs = payload[8..];
                while (attrs.Length >= 4)
                {
                    var alen = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
                    var atype = BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]);
                    if (alen < 4 || alen > attrs.Length) break;
                    if (alen == 8 && atype == 2) local = new IPAddress(attrs.Slice(4, 4));
                    if (alen == 8 && atype == 1) address = new IPAddress(attrs.Slice(4, 4));
                    attrs = attrs[Math.Min(attrs.Length, (alen + 3) & ~3)..];
                }
                if ((local ?? address) is { } a) events.Add(new Address(index, a));
            }
            datagram = datagram[Math.Min(datagram.Length, (len + 3) & ~3)..];
        }
        return events;
    }

    /// <summary>IFLA_BRPORT_STATE inside IFLA_PROTINFO (nested) of an ifinfomsg's attributes, if present.</summary>
    internal static byte? BridgePortState(ReadOnlySpan<byte> attrs)
    {
        foreach (var (type, value) in Attributes(attrs))
            if (type == IFLA_PROTINFO)
                foreach (var (inner, v) in Attributes(value))
                    if (inner == IFLA_BRPORT_STATE && v.Length >= 1) return v[0];
        return null;
    }

    private static List<(ushort Type, byte[] Value)> Attributes(ReadOnlySpan<byte> attrs)
    {
        var list = new List<(ushort, byte[])>();
        while (attrs.Length >= 4)
        {
            var alen = BinaryPrimitives.ReadUInt16LittleEndian(attrs);
            var atype = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(attrs[2..]) & NLA_TYPE_MASK);
            if (alen < 4 || alen > attrs.Length) break;
            list.Add((atype, attrs[4..alen].ToArray()));
            attrs = attrs[Math.Min(attrs.Length, (alen + 3) & ~3)..];
        }
        return list;
    }

    public void Dispose() => close(_fd);
}
