using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Bench.Lab;

/// <summary>
/// A client in the client namespace sending a UDP datagram every millisecond to the data address (the lab's
/// EchoServer answers from it) and stamping every reply. Started around each trial only; the 1 kHz pacing
/// sleeps with usleep and spins only the last 100 µs, so it does not hold a core.
/// </summary>
public sealed class UdpEchoClient : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _replies = [];
    private readonly Thread _sender;
    private readonly Thread _receiver;

    public UdpEchoClient(string clientNs, string address, int port)
    {
        using var ns = NetworkNamespace.Open(clientNs);
        _socket = ns.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 100 };
            s.Connect(IPAddress.Parse(address), port);
            return s;
        });
        _receiver = new Thread(Receive) { IsBackground = true, Name = "udp echo rx", Priority = ThreadPriority.AboveNormal };
        _sender = new Thread(Send) { IsBackground = true, Name = "udp echo tx", Priority = ThreadPriority.AboveNormal };
        _receiver.Start();
        _sender.Start();
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int usleep(uint usec);

    private void Send()
    {
        MeasuringThread.Enter();
        var payload = new byte[32];
        var period = Stopwatch.Frequency / 1000;
        var next = Stopwatch.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _socket.Send(payload);
            }
            catch (SocketException)
            {
                // ECONNREFUSED from an ICMP error, or no route for a moment: keep pacing.
            }
            next += period;
            var left = next - Stopwatch.GetTimestamp();
            var us = left * 1_000_000 / Stopwatch.Frequency - 150;
            if (us > 0) usleep((uint)us);
            while (Stopwatch.GetTimestamp() < next) Thread.SpinWait(20);
        }
    }

    private void Receive()
    {
        MeasuringThread.Enter();
        var buf = new byte[64];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _socket.Receive(buf);
                var now = Stopwatch.GetTimestamp();
                lock (_replies) _replies.Add(now);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public int Replies
    {
        get { lock (_replies) return _replies.Count; }
    }

    /// <summary>The longest silence (ms) between replies, over replies from <paramref name="from"/> on
    /// (the gap straddling <paramref name="from"/> counts).</summary>
    public double LongestGapMs(long from)
    {
        long[] t;
        lock (_replies) t = [.. _replies];
        return LongestGapMs(t, from, Stopwatch.Frequency);
    }

    public static double LongestGapMs(IReadOnlyList<long> stamps, long from, long frequency) =>
        LongestGap(stamps, from).Ticks * 1000.0 / frequency;

    /// <summary>The longest silence (ticks) between replies from <paramref name="from"/> on, and the stamp of the
    /// reply it began after (where in the trial it was).</summary>
    public static (long Ticks, long After) LongestGap(IReadOnlyList<long> stamps, long from)
    {
        var longest = 0L;
        var after = 0L;
        for (var i = 1; i < stamps.Count; i++)
            if (stamps[i] >= from && stamps[i] - stamps[i - 1] > longest) (longest, after) = (stamps[i] - stamps[i - 1], stamps[i - 1]);
        return (longest, after);
    }

    /// <summary>The longest silence between replies that overlaps [<paramref name="from"/>, <paramref name="until"/>]:
    /// the interruption a failover in that span caused, and not a hiccup of the lab at another time.</summary>
    public static long LongestGapOverlapping(IReadOnlyList<long> stamps, long from, long until)
    {
        var longest = 0L;
        for (var i = 1; i < stamps.Count; i++)
            if (stamps[i] >= from && stamps[i - 1] <= until && stamps[i] - stamps[i - 1] > longest) longest = stamps[i] - stamps[i - 1];
        return longest;
    }

    /// <summary>The longest silence (ticks) between replies stamped within [<paramref name="from"/>, <paramref name="until"/>].</summary>
    public static long LongestGapWithin(IReadOnlyList<long> stamps, long from, long until)
    {
        var longest = 0L;
        for (var i = 1; i < stamps.Count; i++)
            if (stamps[i - 1] >= from && stamps[i] <= until && stamps[i] - stamps[i - 1] > longest) longest = stamps[i] - stamps[i - 1];
        return longest;
    }

    public long[] Stamps()
    {
        lock (_replies) return [.. _replies];
    }

    public (long Ticks, long After) LongestGap(long from)
    {
        long[] t;
        lock (_replies) t = [.. _replies];
        return LongestGap(t, from);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sender.Join(1000);
        _receiver.Join(1000);
        _socket.Dispose();
    }
}
