using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Link, address and route change notifications (rtnetlink multicast), read asynchronously. When the
/// kernel had to drop notifications (ENOBUFS) an <see cref="OverrunEvent"/> is delivered; the consumer
/// then re-dumps with <see cref="RtNetlinkClient"/>. One consumer at a time. Create it on a thread in
/// the wanted network namespace.
/// <para>Why the queue is drained before the overrun is reported: the kernel signals ENOBUFS once, when
/// the socket becomes congested, and then drops every further notification silently until the receive
/// queue is empty. Events still queued at that point are stale (the re-dump supersedes them), and a
/// re-dump taken before the queue is empty could miss changes dropped after it. So the monitor discards
/// the queue first; every change after the <see cref="OverrunEvent"/> is delivered.</para>
/// </summary>
public sealed class RtNetlinkMonitor : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly Queue<RtNetlinkEvent> _pending = new();

    private RtNetlinkMonitor(NetlinkSocket socket) => _socket = socket;

    /// <param name="receiveBufferSize">Socket receive buffer; a burst larger than this is an overrun.</param>
    public static RtNetlinkMonitor Create(RtNetlinkGroups groups = RtNetlinkGroups.All, int receiveBufferSize = 4 << 20)
    {
        var socket = NetlinkSocket.Open(Nl.NETLINK_ROUTE, receiveBufferSize);
        try
        {
            // NETLINK_ADD_MEMBERSHIP takes group numbers; the bind-time bitmask cannot name groups above 32.
            if ((groups & RtNetlinkGroups.Link) != 0) socket.AddMembership(Nl.RTNLGRP_LINK);
            if ((groups & RtNetlinkGroups.IPv4Address) != 0) socket.AddMembership(Nl.RTNLGRP_IPV4_IFADDR);
            if ((groups & RtNetlinkGroups.IPv6Address) != 0) socket.AddMembership(Nl.RTNLGRP_IPV6_IFADDR);
            if ((groups & RtNetlinkGroups.IPv4Route) != 0) socket.AddMembership(Nl.RTNLGRP_IPV4_ROUTE);
            if ((groups & RtNetlinkGroups.IPv6Route) != 0) socket.AddMembership(Nl.RTNLGRP_IPV6_ROUTE);
            // Sync reads are only used to drain after an overrun, and must not wait.
            socket.Socket.Blocking = false;
            return new RtNetlinkMonitor(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public NetlinkCounters Counters { get; } = new();

    /// <summary>The next event; waits (without polling) until the kernel sends one.</summary>
    public async ValueTask<RtNetlinkEvent> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (_pending.Count == 0)
        {
            ReadOnlyMemory<byte> datagram;
            try
            {
                datagram = await _socket.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                _pending.Clear();
                Counters.Discarded(_socket.Drain());
                return OverrunEvent.Instance;
            }
            Decode(datagram.Span);
        }
        return _pending.Dequeue();
    }

    /// <summary>The socket's descriptor, for an owner that waits on it with epoll and then calls <see cref="TryReceive"/>.</summary>
    public int Fd => (int)_socket.Socket.Handle;

    /// <summary>The next event if one is queued, without waiting (for an epoll-driven owner). Do not mix
    /// with <see cref="ReceiveAsync"/>.</summary>
    public bool TryReceive(out RtNetlinkEvent? e)
    {
        while (_pending.Count == 0)
        {
            ReadOnlyMemory<byte>? datagram;
            try
            {
                datagram = _socket.TryReceive();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.NoBufferSpaceAvailable)
            {
                _pending.Clear();
                Counters.Discarded(_socket.Drain());
                e = OverrunEvent.Instance;
                return true;
            }
            if (datagram is not { } d)
            {
                e = null;
                return false;
            }
            Decode(d.Span);
        }
        e = _pending.Dequeue();
        return true;
    }

    public async IAsyncEnumerable<RtNetlinkEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true) yield return await ReceiveAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Decode(ReadOnlySpan<byte> datagram)
    {
        var reader = new NetlinkMessageReader(datagram, Counters);
        while (reader.TryRead(out var h, out var payload))
        {
            if (h.nlmsg_type is Nl.NLMSG_NOOP or Nl.NLMSG_DONE) continue;
            if (RtNetlinkParser.TryParseEvent(h, payload, Counters, out var ev)) _pending.Enqueue(ev!);
        }
    }

    public void Dispose() => _socket.Dispose();
}
