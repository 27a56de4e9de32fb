using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Namespaces;
using Ipmp.Linux.Polling;

namespace Ipmp.Lab;

/// <summary>
/// A probe target on a jittery path: inside one lab namespace the kernel's own echo replies are switched off
/// (<c>net.ipv4.icmp_echo_ignore_all</c>, <c>net.ipv6.icmp.echo_ignore_all</c>, that namespace only) and a
/// raw ICMP socket per address answers each echo request after a delay drawn from <see cref="UniformJitter"/>.
/// Pending replies wait in a bounded <see cref="PendingReplies{T}"/> and leave in due-time order, so later
/// requests overtake earlier ones. One owned thread waits on the sockets, a timerfd (the next due reply, ns
/// resolution) and an eventfd (stop) with one epoll. Dispose stops and joins the thread, closes everything
/// and restores the sysctls; a constructor that fails undoes what it did.
/// </summary>
public sealed class DelayedEchoResponder : IDisposable
{
    public const int DefaultCapacity = 1024;
    private const ulong StopToken = 0;
    private const ulong TimerToken = 1;
    private const ulong FirstSocketToken = 2;
    private const int MaxReadsPerTurn = 64;   // a flood on one socket does not starve the sends
    private const int HistogramBuckets = 64;

    private static readonly string[] Sysctls = ["net.ipv4.icmp_echo_ignore_all", "net.ipv6.icmp.echo_ignore_all"];

    private readonly string _ns;
    private readonly UniformJitter _jitter;
    private readonly PendingReplies<Pending> _pending;
    private readonly List<(Socket Socket, bool V6)> _sockets = [];
    private readonly Dictionary<string, string> _savedSysctls = [];
    private readonly Epoll _epoll;
    private readonly TimerFd _timer;
    private readonly EventFd _stop;
    private readonly Thread _thread;
    private readonly object _gate = new();
    private readonly long[] _histogram = new long[HistogramBuckets];
    private long _requests, _replies, _dropped, _sendErrors, _ignored;
    private double _maxLateMs;
    private Exception? _failure;
    private bool _disposed;

    private readonly record struct Pending(Socket Socket, EndPoint To, byte[] Reply, long ReadAt);

    /// <param name="ns">The lab namespace of the target (never the root namespace: its sysctls are changed).</param>
    /// <param name="addresses">Addresses it answers for (each already on an interface of <paramref name="ns"/>);
    /// a link-local IPv6 one carries its interface, e.g. <c>fe80::1%e0</c>.</param>
    public DelayedEchoResponder(string ns, IEnumerable<string> addresses, UniformJitter jitter, int capacity = DefaultCapacity)
    {
        _ns = ns;
        _jitter = jitter;
        _pending = new PendingReplies<Pending>(capacity);
        _thread = new Thread(Loop) { IsBackground = true, Name = $"echo jitter {ns}" };
        try
        {
            _epoll = Epoll.Create();
            _timer = TimerFd.Create();
            _stop = EventFd.Create();
            using (var thread = NetworkNamespace.Open(ns))
                foreach (var a in addresses) _sockets.Add(thread.Run(() => Open(a)));
            if (_sockets.Count == 0) throw new ArgumentException("no address to answer for", nameof(addresses));
            // Sockets first: from the moment the kernel stops answering, someone does.
            foreach (var key in Sysctls)
            {
                _savedSysctls[key] = Shell.Run("ip", "netns", "exec", ns, "sysctl", "-n", key).Trim();
                NamespaceLab.Sysctl(ns, key, "1");
            }
            _epoll.Add(_stop.Fd, StopToken);
            _epoll.Add(_timer.Fd, TimerToken);
            for (var i = 0; i < _sockets.Count; i++) _epoll.Add((int)_sockets[i].Socket.Handle, FirstSocketToken + (ulong)i);
            _thread.Start();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public UniformJitter Jitter => _jitter;

    /// <summary>Runs on a thread of the namespace: the socket belongs to it for its whole life.</summary>
    private static (Socket, bool) Open(string address)
    {
        var ip = IPAddress.Parse(address);   // resolves %dev here, in the namespace
        var v6 = ip.AddressFamily == AddressFamily.InterNetworkV6;
        var s = v6
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6)
            : new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        try
        {
            // Bound: only requests to this address arrive (not multicast or broadcast, which a host's kernel
            // ignores by default), and replies leave from it, as the daemon checks.
            s.Bind(new IPEndPoint(ip, 0));
            s.Blocking = false;
            return (s, v6);
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public EchoResponderCounters Counters
    {
        get
        {
            lock (_gate)
            {
                if (_failure is not null) throw new InvalidOperationException("the echo responder failed", _failure);
                return new EchoResponderCounters(_requests, _replies, _dropped, _sendErrors, _ignored, [.. _histogram], _maxLateMs);
            }
        }
    }

    private void Loop()
    {
        Span<ulong> ready = stackalloc ulong[8];
        var buffer = new byte[65536];
        try
        {
            while (true)
            {
                var n = _epoll.Wait(ready, -1);
                for (var i = 0; i < n; i++)
                {
                    if (ready[i] == StopToken) return;
                    if (ready[i] == TimerToken) _timer.Acknowledge();
                    else Read(_sockets[(int)(ready[i] - FirstSocketToken)], buffer);
                }
                SendDue();
            }
        }
        catch (Exception e)
        {
            lock (_gate) _failure = e;   // seen by the owner through Counters
        }
    }

    private void Read((Socket Socket, bool V6) s, byte[] buffer)
    {
        for (var k = 0; k < MaxReadsPerTurn && s.Socket.Available > 0; k++)
        {
            EndPoint from = new IPEndPoint(s.V6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            int length;
            try
            {
                length = s.Socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            if (!EchoPacket.TryGetRequest(buffer.AsSpan(0, length), s.V6, out var request))
            {
                lock (_gate) _ignored++;
                continue;
            }
            var due = now + (long)(_jitter.Next().TotalSeconds * Stopwatch.Frequency);
            var added = _pending.TryAdd(due, new Pending(s.Socket, from, EchoPacket.Reply(request, s.V6), now));
            lock (_gate)
            {
                if (added) _requests++;
                else _dropped++;
            }
        }
    }

    private void SendDue()
    {
        var now = Stopwatch.GetTimestamp();
        while (_pending.TryTakeDue(now, out var p, out var due))
        {
            var sent = true;
            try
            {
                p.Socket.SendTo(p.Reply, p.To);
            }
            catch (SocketException)
            {
                sent = false;   // e.g. EWOULDBLOCK, no route: a real loss, counted
            }
            var at = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (!sent)
                {
                    _sendErrors++;
                    continue;
                }
                _replies++;
                var delayMs = (at - p.ReadAt) * 1000.0 / Stopwatch.Frequency;
                _histogram[Math.Clamp((int)delayMs, 0, HistogramBuckets - 1)]++;
                _maxLateMs = Math.Max(_maxLateMs, (at - due) * 1000.0 / Stopwatch.Frequency);
            }
            now = at;
        }
        _timer.Arm(_pending.NextDue is { } next
            ? TimeSpan.FromSeconds(Math.Max(0, next - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)
            : null);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (_thread.IsAlive)
        {
            _stop!.Ring();
            _thread.Join();
        }
        foreach (var (key, value) in _savedSysctls)
        {
            try
            {
                NamespaceLab.Sysctl(_ns, key, value);
            }
            catch (InvalidOperationException)
            {
                // The namespace is gone already (the lab was removed first): nothing left to restore.
            }
        }
        foreach (var s in _sockets) s.Socket.Dispose();
        // Null only when the constructor failed before creating them.
        _epoll?.Dispose();
        _timer?.Dispose();
        _stop?.Dispose();
    }
}
