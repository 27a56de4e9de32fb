using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Probing;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// Transitive probing's link-layer side: one packet socket (EtherType 0x88B5) per member while the engine
/// asks it to answer (<see cref="ListenTransitive"/>). Each socket sends that member's probes and is its
/// responder: a request of this daemon's (its cookie) addressed to the member's MAC is answered at once from
/// the same socket, as the kernel answers an ICMP echo; replies go to the engine. Owned by the event loop's
/// thread and watched by its epoll; at most <see cref="ProbeSockets.ReadBudget"/> frames per socket per turn;
/// frames that are not ours are dropped and counted, never logged one by one.
/// </summary>
public sealed class TransitiveSockets(KernelView view, EngineClock clock, IProbeSocketHost host, ulong cookie,
    Runtime.ITransitiveSocketFactory factory, ILogger logger) : IDisposable
{
    private sealed record Entry(Runtime.ITransitiveSocket Socket, int Index, string Interface);

    private readonly byte[] _buffer = new byte[1500];
    private readonly Dictionary<string, Entry> _sockets = new(StringComparer.Ordinal);
    private readonly LogLimiterClock _limit = new(clock);

    public long Answered { get; private set; }
    public long Dropped { get; private set; }
    public long SendErrors { get; private set; }

    public void Listen(ListenTransitive l)
    {
        if (l.On) SocketFor(l.Interface);
        else Forget(l.Interface);
    }

    /// <summary>Sends one probe; true when the kernel took it (its send time is then "now").</summary>
    public bool Send(SendTransitiveProbe probe)
    {
        if (SocketFor(probe.Interface) is not { } entry) return false;
        try
        {
            entry.Socket.Send(probe.Frame.Span, probe.PeerMac);
            return true;
        }
        catch (SocketException ex)
        {
            SendErrors++;
            if (_limit.Allow("transitive-send", out var suppressed))
                logger.LogDebug("transitive probe on {Interface} to {Peer} failed: {Error}{Suppressed}", probe.Interface, probe.Peer,
                    ex.SocketErrorCode, LogLimiterClock.Note(suppressed));
            return false;
        }
    }

    private Entry? SocketFor(string ifName)
    {
        var index = view.IndexOf(ifName);
        if (_sockets.TryGetValue(ifName, out var e))
        {
            if (e.Index == index) return e;
            Forget(ifName);   // re-plumbed: a new index
        }
        if (index is not { } idx) return null;
        try
        {
            var socket = factory.Create(idx, TransitiveFrame.EtherType);
            e = new Entry(socket, idx, ifName);
            _sockets[ifName] = e;
            host.Watch(socket.Fd, () => Drain(e));
            return e;
        }
        catch (SocketException ex)
        {
            if (_limit.Allow("transitive-open", out var suppressed))
                logger.LogError("cannot open a transitive probe socket on {Interface}: {Error}{Suppressed}", ifName, ex.Message,
                    LogLimiterClock.Note(suppressed));
            return null;
        }
    }

    /// <summary>On the loop: up to <see cref="ProbeSockets.ReadBudget"/> frames queued on one socket.</summary>
    private void Drain(Entry entry)
    {
        for (var reads = 0; reads < ProbeSockets.ReadBudget; reads++)
        {
            int length;
            PhysicalAddress from;
            byte type;
            try
            {
                if (!entry.Socket.TryReceive(_buffer, out length, out from, out type)) return;
            }
            catch (SocketException)
            {
                Dropped++;
                continue;
            }
            // Our own outgoing frames, and frames to other MACs (promiscuous NICs), are not for us.
            if (type != Ipmp.Linux.Transitive.TransitiveSocket.PacketHost) continue;
            var frame = _buffer.AsSpan(0, length);
            if (!TransitiveFrame.TryDecode(frame, out var decoded))
            {
                Dropped++;
                continue;
            }
            if (!decoded.IsReply)
            {
                Answer(entry, frame, from);
                continue;
            }
            host.Deliver(new TransitiveReplyReceived(entry.Interface, from, frame.ToArray(), clock.Now));
        }
    }

    /// <summary>The responder: only this daemon's own requests (its cookie) are answered.</summary>
    private void Answer(Entry entry, ReadOnlySpan<byte> request, PhysicalAddress from)
    {
        if (!TransitiveFrame.TryMakeReply(request, cookie, out var reply))
        {
            Dropped++;
            return;
        }
        try
        {
            entry.Socket.Send(reply, from);
            Answered++;
        }
        catch (SocketException)
        {
            SendErrors++;
        }
    }

    /// <summary>Closes the socket of an interface that went away or stopped answering.</summary>
    public void Forget(string ifName)
    {
        if (!_sockets.Remove(ifName, out var e)) return;
        host.Unwatch(e.Socket.Fd);
        e.Socket.Dispose();
    }

    public void Dispose()
    {
        foreach (var name in _sockets.Keys.ToList()) Forget(name);
    }
}
