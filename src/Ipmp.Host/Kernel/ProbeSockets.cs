using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Linux.Icmp;
using Ipmp.Linux.Polling;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// One raw ICMP/ICMPv6 socket per probing interface and family, bound to the NIC and its test address,
/// opened on first use. One poll thread (<see cref="SocketPoller"/>) reads them all and hands replies (with
/// the kernel's receive timestamp, converted to the engine's monotonic clock) to the event loop.
/// </summary>
public sealed class ProbeSockets(KernelView view, EngineClock clock, Action<NetworkEvent> post, ILogger logger) : IDisposable
{
    private sealed record Entry(IcmpProbeSocket Socket, IPAddress Source, int Index);

    private readonly SocketPoller _poller = new("ipmp probes");
    private readonly byte[] _buffer = new byte[1500];   // used only on the poll thread

    private readonly Dictionary<(string Interface, AddressFamily Family), Entry> _sockets = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public long SendErrors { get; private set; }

    public void Send(SendProbe probe)
    {
        var entry = SocketFor(probe.Interface, probe.Source);
        if (entry is null) return;
        try
        {
            // EWOULDBLOCK counts as sent: a wedged driver shows up as lost probes.
            entry.Socket.Send(probe.Icmp.Span, probe.Destination);
        }
        catch (SocketException ex)
        {
            SendErrors++;
            if (SendErrors < 10 || SendErrors % 1000 == 0)
                logger.LogDebug("probe send on {Interface} to {Target} failed: {Error}", probe.Interface, probe.Destination, ex.SocketErrorCode);
        }
    }

    private Entry? SocketFor(string ifName, IPAddress source)
    {
        var key = (ifName, source.AddressFamily);
        lock (_lock)
        {
            if (_disposed) return null;
            var index = view.IndexOf(ifName);
            if (_sockets.TryGetValue(key, out var e))
            {
                if (e.Source.Equals(source) && e.Index == index) return e;
                Close(key, e);
            }
            if (index is not { } idx) return null;
            try
            {
                var socket = IcmpProbeSocket.Create(idx, source);
                e = new Entry(socket, source, idx);
                _sockets[key] = e;
                _poller.Add(socket.Socket, () => Drain(ifName, socket));
                return e;
            }
            catch (SocketException ex)
            {
                logger.LogError("cannot open a probe socket on {Interface} from {Source}: {Error}", ifName, source, ex.Message);
                return null;
            }
        }
    }

    /// <summary>On the poll thread: everything queued on one socket.</summary>
    private void Drain(string ifName, IcmpProbeSocket socket)
    {
        for (var errors = 0; errors < 4;)
        {
            IcmpReceived r;
            try
            {
                if (!socket.TryReceiveNow(_buffer, out r)) return;
            }
            catch (SocketException ex)
            {
                // An ICMP error reported on the socket (sk_err) is cleared by reading it; data may follow.
                // Anything else (a socket closed under us) ends this round; poll calls again if need be.
                logger.LogDebug("probe receive on {Interface}: {Error}", ifName, ex.SocketErrorCode);
                errors++;
                continue;
            }
            // Only echo replies matter; the kernel filter passes nothing else once it is set, but a message
            // can slip in between the socket's creation and its filter.
            if (r.Truncated || r.Length < 1 || _buffer[0] != (r.Source.AddressFamily == AddressFamily.InterNetwork ? 0 : 129)) continue;
            post(new ProbeReplyReceived(ifName, KernelTranslation.WithoutScope(r.Source), _buffer.AsSpan(0, r.Length).ToArray(), ToEngineTime(r)));
        }
    }

    /// <summary>The kernel stamps packets on CLOCK_REALTIME; the engine runs on the monotonic clock.</summary>
    private TimeSpan? ToEngineTime(IcmpReceived r)
    {
        if (!r.HasTimestamp) return null;
        var age = DateTimeOffset.UtcNow - r.Timestamp!.Value;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return clock.Now - age;
    }

    /// <summary>Closes the sockets of an interface that went away.</summary>
    public void Forget(string ifName)
    {
        lock (_lock)
            foreach (var key in _sockets.Keys.Where(k => k.Interface == ifName).ToList())
                Close(key, _sockets[key]);
    }

    private void Close((string, AddressFamily) key, Entry e)
    {
        _sockets.Remove(key);
        _poller.Remove(e.Socket.Socket);
        e.Socket.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var (key, e) in _sockets.ToList()) Close(key, e);
        }
        _poller.Dispose();
    }
}
