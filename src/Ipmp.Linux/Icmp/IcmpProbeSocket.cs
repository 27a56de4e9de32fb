using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using static Interop.Libc;

namespace Ipmp.Linux.Icmp;

/// <summary>
/// A raw ICMP (IPv4) or ICMPv6 socket for probing from one test address out of one interface, set up as
/// in.mpathd does: TTL/hop limit 1 (targets must be on-link), multicast loop off, only echo replies let
/// through, and a kernel receive timestamp on every message. Needs CAP_NET_RAW. Create it on a thread in
/// the interface's network namespace.
/// </summary>
public sealed class IcmpProbeSocket : IDisposable
{
    private const int IcmpEchoReply = 0;
    private const int Icmp6EchoReply = 129;
    private const int MaxIpv4Header = 60;

    private readonly Socket _socket;
    private readonly byte[] _peek = new byte[1];
    private readonly byte[] _control = new byte[256];
    private byte[] _scratch = new byte[2048];

    private IcmpProbeSocket(Socket socket, int interfaceIndex, IPAddress source)
    {
        _socket = socket;
        InterfaceIndex = interfaceIndex;
        Source = source;
    }

    public AddressFamily Family => Source.AddressFamily;
    public int InterfaceIndex { get; }
    public IPAddress Source { get; }

    /// <summary>The underlying socket, for options this class does not cover.</summary>
    public Socket Socket => _socket;

    /// <param name="interfaceIndex">Egress and ingress are pinned to this interface (SO_BINDTOIFINDEX).</param>
    /// <param name="source">The test address. It may still be tentative (DAD) or not yet configured: FREEBIND.</param>
    public static IcmpProbeSocket Create(int interfaceIndex, IPAddress source)
    {
        var v6 = source.AddressFamily == AddressFamily.InterNetworkV6;
        if (!v6 && source.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("IPv4 or IPv6 source address expected", nameof(source));
        var socket = v6
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6)
            : new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        try
        {
            socket.SetRawSocketOption(SockOpt.SOL_SOCKET, SockOpt.SO_BINDTOIFINDEX, SockOpt.Int(interfaceIndex));
            socket.SetRawSocketOption(SockOpt.SOL_SOCKET, SockOpt.SO_TIMESTAMPNS, SockOpt.Int(1));
            if (v6) ConfigureV6(socket, interfaceIndex);
            else ConfigureV4(socket, interfaceIndex);
            source = WithScope(source, interfaceIndex);
            socket.Bind(new IPEndPoint(source, 0));
            // Sends must never wait for a wedged driver: EWOULDBLOCK counts as a lost probe instead.
            socket.Blocking = false;
            return new IcmpProbeSocket(socket, interfaceIndex, source);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void ConfigureV4(Socket s, int ifindex)
    {
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_FREEBIND, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_TTL, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_MULTICAST_TTL, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_MULTICAST_LOOP, SockOpt.Int(0));
        // struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }: select by index.
        var mreqn = new byte[12];
        BitConverter.TryWriteBytes(mreqn.AsSpan(8), ifindex); // host order
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_MULTICAST_IF, mreqn);
        s.SetRawSocketOption(SockOpt.IPPROTO_IP, SockOpt.IP_PKTINFO, SockOpt.Int(1));
        // ICMP_FILTER is a bitmask of types to drop in the kernel: everything but echo reply.
        s.SetRawSocketOption(SockOpt.SOL_RAW, SockOpt.ICMP_FILTER, SockOpt.Int(~(1 << IcmpEchoReply)));
    }

    private static void ConfigureV6(Socket s, int ifindex)
    {
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_FREEBIND, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_UNICAST_HOPS, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_MULTICAST_HOPS, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_MULTICAST_LOOP, SockOpt.Int(0));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_MULTICAST_IF, SockOpt.Int(ifindex));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_RECVPKTINFO, SockOpt.Int(1));
        s.SetRawSocketOption(SockOpt.IPPROTO_IPV6, SockOpt.IPV6_RECVHOPLIMIT, SockOpt.Int(1));
        // struct icmp6_filter: 256 bits, a set bit blocks that type (ICMP6_FILTER_SETBLOCKALL + SETPASS).
        var filter = new byte[32];
        filter.AsSpan().Fill(0xFF);
        filter[Icmp6EchoReply >> 3] &= unchecked((byte)~(1 << (Icmp6EchoReply & 7)));
        s.SetRawSocketOption(SockOpt.IPPROTO_ICMPV6, SockOpt.ICMP6_FILTER, filter);
    }

    private static IPAddress WithScope(IPAddress address, int ifindex) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && ScopeOf(address, ifindex) is var scope && scope != address.ScopeId
            ? new IPAddress(address.GetAddressBytes(), scope) : address;

    /// <summary>A link-local or multicast IPv6 address without a scope belongs to this socket's interface
    /// (IPv4 has no scope: 0).</summary>
    private static uint ScopeOf(IPAddress address, int ifindex)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return 0;
        if (address.ScopeId != 0) return (uint)address.ScopeId;
        return address.IsIPv6LinkLocal || address.IsIPv6Multicast ? (uint)ifindex : 0;
    }

    /// <summary>From now on, only messages with this echo identifier are queued (<see cref="EchoReplyFilter"/>).</summary>
    public void AcceptOnly(ushort identifier) => EchoReplyFilter.Attach(_socket, identifier);

    /// <summary>
    /// Sends one ICMP message built by the caller (with the checksum for IPv4; the kernel computes it for
    /// ICMPv6). Returns false when the socket buffer is full (EWOULDBLOCK); callers count that as sent.
    /// Other errors (ENETUNREACH, ENETDOWN, ...) throw <see cref="SocketException"/>.
    /// </summary>
    public bool Send(ReadOnlySpan<byte> icmpMessage, IPAddress destination)
    {
        Span<byte> name = stackalloc byte[RawSend.MaxSockAddr];
        var length = RawSend.WriteSockAddr(name, destination, scopeId: ScopeOf(destination, InterfaceIndex));
        return RawSend.SendTo(_socket.SafeHandle, icmpMessage, name[..length]);
    }

    /// <summary>
    /// Waits for the next echo reply and copies its ICMP message (no IP header) into <paramref name="buffer"/>.
    /// The caller matches the identifier: a raw socket sees every reply addressed to the test address.
    /// </summary>
    public async ValueTask<IcmpReceived> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                // Readiness through the runtime's epoll engine; the peeked byte stays queued.
                await _socket.ReceiveAsync(_peek, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (IsTransient(e.SocketErrorCode))
            {
                continue; // A reported ICMP error (sk_err) is cleared by reading it; data may follow.
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                // The 1-byte peek truncates; should the runtime report that, the datagram is still there.
            }
            if (TryReceive(buffer.Span, out var received)) return received;
        }
    }

    /// <summary>Reads one queued message without waiting; false when none is queued (for a poll loop, e.g.
    /// the daemon's event loop). The socket must be non-blocking (it is: see <see cref="Create"/>).</summary>
    public bool TryReceiveNow(Span<byte> buffer, out IcmpReceived received) => TryReceive(buffer, out received);

    private static bool IsTransient(SocketError e) => e is SocketError.HostUnreachable or SocketError.NetworkUnreachable
        or SocketError.ConnectionRefused or SocketError.HostDown or SocketError.NetworkDown;

    private unsafe bool TryReceive(Span<byte> destination, out IcmpReceived received)
    {
        received = default;
        var v6 = Family == AddressFamily.InterNetworkV6;
        // IPv4 raw sockets deliver the IP header; receive into scratch space and strip it.
        Span<byte> target = destination;
        if (!v6)
        {
            if (_scratch.Length < destination.Length + MaxIpv4Header) _scratch = new byte[destination.Length + MaxIpv4Header];
            target = _scratch;
        }
        Span<byte> name = stackalloc byte[28]; // sockaddr_in6 is the larger of the two
        nint n;
        int msgFlags;
        fixed (byte* pTarget = target)
        fixed (byte* pName = name)
        fixed (byte* pControl = _control)
        {
            var iov = new iovec { iov_base = pTarget, iov_len = (nuint)target.Length };
            var msg = new msghdr
            {
                msg_name = pName,
                msg_namelen = (uint)name.Length,
                msg_iov = &iov,
                msg_iovlen = 1,
                msg_control = pControl,
                msg_controllen = (nuint)_control.Length,
            };
            n = RecvMsg(_socket.SafeHandle, &msg, MSG_DONTWAIT);
            msgFlags = msg.msg_flags;
            if (n >= 0) ParseControl(_control.AsSpan(0, (int)msg.msg_controllen), out received);
        }
        if (n < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is EAGAIN or EINTR) return false;
            throw new SocketException(errno);
        }
        var length = (int)n;
        var truncated = (msgFlags & MSG_TRUNC) != 0;
        var hopLimit = received.HopLimit;
        if (!v6)
        {
            // Drop anything that is not a sane IPv4 packet; raw sockets get what the wire had.
            if (length < 20 || (target[0] >> 4) != 4) return false;
            var ihl = (target[0] & 0x0F) * 4;
            if (ihl < 20 || ihl > length) return false;
            hopLimit = target[8];
            var icmp = target[ihl..length];
            var copy = Math.Min(icmp.Length, destination.Length);
            icmp[..copy].CopyTo(destination);
            truncated |= copy < icmp.Length;
            length = copy;
        }
        received = received with
        {
            Length = length,
            Source = ParseSource(name, v6) ?? (v6 ? IPAddress.IPv6None : IPAddress.None),
            HopLimit = hopLimit,
            Truncated = truncated,
        };
        return true;
    }

    private static IPAddress? ParseSource(ReadOnlySpan<byte> sa, bool v6)
    {
        if (!v6) return new IPAddress(sa.Slice(4, 4));
        var scope = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(sa[24..]) : BinaryPrimitives.ReadUInt32BigEndian(sa[24..]);
        return new IPAddress(sa.Slice(8, 16), scope);
    }

    /// <summary>Walks the cmsghdr chain (CMSG_FIRSTHDR / CMSG_NXTHDR, 64-bit layout: 16-byte header, 8-byte alignment).</summary>
    private static void ParseControl(ReadOnlySpan<byte> control, out IcmpReceived result)
    {
        const int header = 16;
        result = new IcmpReceived(0, IPAddress.None, 0, null, 0, -1, false);
        while (control.Length >= header)
        {
            var len = (long)(BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt64LittleEndian(control) : BinaryPrimitives.ReadUInt64BigEndian(control));
            if (len < header || len > control.Length) break;
            var level = ReadI32(control[8..]);
            var type = ReadI32(control[12..]);
            var data = control[header..(int)len];
            switch (level, type)
            {
                case (SockOpt.SOL_SOCKET, SockOpt.SO_TIMESTAMPNS) when data.Length >= 16:
                    result = result with { TimestampNanoseconds = ReadI64(data) * 1_000_000_000 + ReadI64(data[8..]) };
                    break;
                case (SockOpt.IPPROTO_IP, SockOpt.IP_PKTINFO) when data.Length >= 12:
                    // struct in_pktinfo { int ifindex; in_addr spec_dst; in_addr addr; }
                    result = result with { InterfaceIndex = ReadI32(data), Destination = new IPAddress(data.Slice(8, 4)) };
                    break;
                case (SockOpt.IPPROTO_IPV6, SockOpt.IPV6_PKTINFO) when data.Length >= 20:
                    // struct in6_pktinfo { in6_addr addr; int ifindex; }
                    result = result with { InterfaceIndex = ReadI32(data[16..]), Destination = new IPAddress(data[..16]) };
                    break;
                case (SockOpt.IPPROTO_IPV6, SockOpt.IPV6_HOPLIMIT) when data.Length >= 4:
                    result = result with { HopLimit = ReadI32(data) };
                    break;
            }
            control = control[Math.Min((int)((len + 7) & ~7L), control.Length)..];
        }
    }

    private static int ReadI32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(s) : BinaryPrimitives.ReadInt32BigEndian(s);

    private static long ReadI64(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt64LittleEndian(s) : BinaryPrimitives.ReadInt64BigEndian(s);

    public void Dispose() => _socket.Dispose();
}
