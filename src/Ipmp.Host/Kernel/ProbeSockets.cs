using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Linux.Icmp;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// One raw ICMP/ICMPv6 socket per probing interface and family, bound to the NIC and its test address,
/// opened on first use. Owned by the event loop's thread: at every turn the loop calls <see cref="Drain"/>
/// for the sockets with replies queued (it does not wake for them: the engine judges a probe at its
/// deadline, and the kernel stamps when its reply arrived). Each call reads at most <see cref="ReadBudget"/>
/// replies, so an echo flood to one test address cannot starve the other NICs (readiness is level-triggered:
/// what is left is read on the next turn, after the others had theirs).
/// </summary>
public sealed class ProbeSockets(KernelView view, EngineClock clock, IProbeSocketHost host, Runtime.IProbeSocketFactory factory, ILogger logger) : IDisposable
{
    public const int ReadBudget = 16;

    private sealed record Entry(Runtime.IProbeSocket Socket, IPAddress Source, int Index, ushort Identifier, string Interface);

    private readonly byte[] _buffer = new byte[1500];
    // One table per family, keyed by interface name alone: a string key takes the dictionary's fast ordinal
    // path, where a (name, family) tuple hashed the name with the randomized hash on every probe sent.
    private readonly Dictionary<string, Entry> _v4 = [], _v6 = [];
    private readonly LogLimiterClock _limit = new(clock);

    public long SendErrors { get; private set; }
    public long Malformed { get; private set; }

    /// <summary>Sends one probe; true when the kernel took it (its send time is then "now").</summary>
    public bool Send(SendProbe probe)
    {
        var entry = SocketFor(probe.Interface, probe.Source, BinaryPrimitives.ReadUInt16BigEndian(probe.Icmp.Span[4..]));
        if (entry is null) return false;
        try
        {
            // EWOULDBLOCK counts as sent: a wedged driver shows up as lost probes.
            entry.Socket.Send(probe.Icmp.Span, probe.Destination);
            return true;
        }
        catch (SocketException ex)
        {
            SendErrors++;
            if (_limit.Allow("probe-send", out var suppressed))
                logger.LogDebug("probe send on {Interface} to {Target} failed: {Error}{Suppressed}", probe.Interface, probe.Destination,
                    ex.SocketErrorCode, LogLimiterClock.Note(suppressed));
            return false;
        }
    }

    /// <param name="identifier">The probe's echo identifier (bytes 4-5 of every echo message): the socket's
    /// kernel filter passes only replies that carry it.</param>
    private Entry? SocketFor(string ifName, IPAddress source, ushort identifier)
    {
        var table = Table(source.AddressFamily);
        var index = view.IndexOf(ifName);
        if (table.TryGetValue(ifName, out var e))
        {
            if (e.Index == index && e.Identifier == identifier && e.Source.Equals(source)) return e;
            Close(table, e);
        }
        if (index is not { } idx) return null;
        try
        {
            var socket = factory.Create(idx, source, identifier);
            e = new Entry(socket, source, idx, identifier, ifName);
            table[ifName] = e;
            host.WatchReplies(socket.Fd, () => Drain(e));
            return e;
        }
        catch (SocketException ex)
        {
            if (_limit.Allow("probe-open", out var suppressed))
                logger.LogError("cannot open a probe socket on {Interface} from {Source}: {Error}{Suppressed}", ifName, source, ex.Message,
                    LogLimiterClock.Note(suppressed));
            return null;
        }
    }

    /// <summary>On the loop: up to <see cref="ReadBudget"/> messages queued on one socket.</summary>
    private void Drain(Entry entry)
    {
        var socket = entry.Socket;
        for (var reads = 0; reads < ReadBudget; reads++)
        {
            IcmpReceived r;
            try
            {
                if (!socket.TryReceive(_buffer, out r)) return;
            }
            catch (SocketException ex)
            {
                // An ICMP error reported on the socket (sk_err) is cleared by reading it; data may follow.
                if (_limit.Allow("probe-receive", out var suppressed))
                    logger.LogDebug("probe receive on {Interface}: {Error}{Suppressed}", entry.Interface, ex.SocketErrorCode, LogLimiterClock.Note(suppressed));
                continue;
            }
            // Only echo replies matter; the kernel filter passes nothing else once it is set, but a message
            // can slip in between the socket's creation and its filter.
            if (r.Truncated || r.Length < 1 || _buffer[0] != (r.Source.AddressFamily == AddressFamily.InterNetwork ? 0 : 129))
            {
                Malformed++;
                continue;
            }
            host.Deliver(new ProbeReplyReceived(entry.Interface, KernelTranslation.WithoutScope(r.Source),
                _buffer.AsSpan(0, r.Length).ToArray(), ToEngineTime(r)));
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
        foreach (var table in new[] { _v4, _v6 })
            if (table.TryGetValue(ifName, out var e)) Close(table, e);
    }

    private Dictionary<string, Entry> Table(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? _v6 : _v4;

    private void Close(Dictionary<string, Entry> table, Entry e)
    {
        table.Remove(e.Interface);
        host.Unwatch(e.Socket.Fd);
        e.Socket.Dispose();
    }

    public void Dispose()
    {
        foreach (var table in new[] { _v4, _v6 })
            foreach (var e in table.Values.ToList()) Close(table, e);
    }
}

/// <summary>What <see cref="ProbeSockets"/> needs of the loop that owns it.</summary>
public interface IProbeSocketHost : Runtime.IReadinessWatcher
{
    void Deliver(NetworkEvent e);

    /// <summary>A probe socket: <paramref name="onReadable"/> runs on the loop's next turn when replies are
    /// queued, without waking the loop for them (their arrival is stamped by the kernel).</summary>
    void WatchReplies(int fd, Action onReadable);
}

/// <summary>A <see cref="Runtime.LogLimiter"/> on the engine clock, with the summary text.</summary>
public sealed class LogLimiterClock(EngineClock clock, int burst = 5, TimeSpan? interval = null)
{
    private readonly Runtime.LogLimiter _limiter = new(burst, interval);

    public bool Allow(string kind, out int suppressed) => _limiter.Allow(kind, clock.Now, out suppressed);

    public static string Note(int suppressed) => suppressed > 0 ? $" ({suppressed} similar messages suppressed)" : "";
}
