using System.Diagnostics;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Bench.Lab;

/// <summary>
/// rtnetlink link and IPv4 address events of one namespace, each stamped (Stopwatch ticks) by a dedicated
/// thread that is already blocked in recv(2) when the kernel sends it. Trials ask for the first event
/// matching a predicate after a time. The reader only stamps and copies: datagrams are parsed by whoever
/// asks, so parsing one (its first time JIT-compiled, in trial 0) never delays the stamp of the next.
/// </summary>
public sealed class KernelEvents : IDisposable
{
    private readonly RawNetlink _socket;
    private readonly List<(long At, byte[] Raw)> _datagrams = [];
    private readonly List<(long At, RawNetlink.Event Event)> _events = [];
    private readonly Thread _reader;
    private volatile bool _stop;

    public KernelEvents(string ns)
    {
        using (var nsThread = NetworkNamespace.Open(ns)) _socket = nsThread.Run(() => new RawNetlink());
        // Compiled here, not in trial 0: the JIT compiling Keep after the first stamp delayed the second.
        Keep(Stopwatch.GetTimestamp(), []);
        lock (_events)
        {
            ParsePending();
            _events.Clear();
        }
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "netlink stamps", Priority = ThreadPriority.AboveNormal };
        _reader.Start();
    }

    private void ReadLoop()
    {
        MeasuringThread.Enter();
        var buf = new byte[1 << 16];
        while (!_stop)
        {
            var n = _socket.Receive(buf);
            if (n <= 0) continue;
            Keep(Stopwatch.GetTimestamp(), buf.AsSpan(0, n));
        }
    }

    private void Keep(long at, ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        lock (_events)
        {
            _datagrams.Add((at, copy));
            Monitor.PulseAll(_events);
        }
    }

    /// <summary>Under the lock: parses what the reader has stamped since the last call.</summary>
    private void ParsePending()
    {
        foreach (var (at, raw) in _datagrams)
            foreach (var e in RawNetlink.Parse(raw)) _events.Add((at, e));
        _datagrams.Clear();
    }

    /// <summary>The stamp of the first event after <paramref name="after"/> that matches, waiting up to <paramref name="timeout"/>.</summary>
    public long? WaitFor(Func<RawNetlink.Event, bool> match, long after, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_events)
        {
            var i = 0;
            while (true)
            {
                ParsePending();
                for (; i < _events.Count; i++)
                    if (_events[i].At >= after && match(_events[i].Event)) return _events[i].At;
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) return null;
                Monitor.Wait(_events, TimeSpan.FromSeconds(Math.Min(left / (double)Stopwatch.Frequency, 0.5)));
            }
        }
    }

    public int Count(Func<RawNetlink.Event, bool> match, long after)
    {
        lock (_events)
        {
            ParsePending();
            return _events.Count(e => e.At >= after && match(e.Event));
        }
    }

    public void Trim(long before)
    {
        lock (_events)
        {
            ParsePending();
            _events.RemoveAll(e => e.At < before);
        }
    }

    public static bool CarrierLost(RawNetlink.Event e, int ifindex) => e is RawNetlink.Link { LowerUp: false } l && l.Index == ifindex;

    public static bool PortState(RawNetlink.Event e, int ifindex, byte state) => e is RawNetlink.BridgePort p && p.Index == ifindex && p.State == state;

    public static bool AddressAdded(RawNetlink.Event e, string address, Func<int, bool> onInterface) =>
        e is RawNetlink.Address a && a.Value.ToString() == address && onInterface(a.Index);

    public void Dispose()
    {
        _stop = true;
        _reader.Join(1000);
        _socket.Dispose();
    }
}
