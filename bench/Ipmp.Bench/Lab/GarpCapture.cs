using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Bench.Lab;

/// <summary>
/// Gratuitous ARPs as the client sees them on the wire: an AF_PACKET socket (ETH_P_ARP) opened in the
/// client namespace, read by a dedicated thread blocked in recv, each frame stamped as it arrives.
/// A GARP is an ARP request or reply whose sender and target IP are both the announced address.
/// </summary>
public sealed class GarpCapture : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly List<(long At, IPAddress Address, string Mac)> _seen = [];
    private volatile bool _stop;

    public GarpCapture(string ns)
    {
        using var nsThread = NetworkNamespace.Open(ns);
        _socket = nsThread.Run(() =>
        {
            var s = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)BinaryPrimitives.ReverseEndianness((ushort)0x0806));
            s.ReceiveTimeout = 200;
            return s;
        });
        _thread = new Thread(Loop) { IsBackground = true, Name = "garp capture", Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    private void Loop()
    {
        MeasuringThread.Enter();
        var buf = new byte[2048];
        while (!_stop)
        {
            int n;
            try
            {
                n = _socket.Receive(buf);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var now = Stopwatch.GetTimestamp();
            if (Parse(buf.AsSpan(0, n)) is { } g)
                lock (_seen)
                {
                    _seen.Add((now, g.Address, g.Mac));
                    Monitor.PulseAll(_seen);
                }
        }
    }

    /// <summary>A raw Ethernet frame → the announced address and sender MAC, if it is a gratuitous ARP.</summary>
    public static (IPAddress Address, string Mac)? Parse(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 + 28 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0806) return null;
        var arp = frame[14..];
        var op = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        if (op is not (1 or 2)) return null;
        var spa = arp.Slice(14, 4);
        var tpa = arp.Slice(24, 4);
        if (!spa.SequenceEqual(tpa)) return null;
        var mac = Convert.ToHexString(arp.Slice(8, 6)).ToLowerInvariant();
        return (new IPAddress(spa), string.Join(':', Enumerable.Range(0, 6).Select(i => mac.Substring(i * 2, 2))));
    }

    /// <summary>The first GARP for <paramref name="address"/> after <paramref name="after"/>.</summary>
    public long? WaitFor(string address, long after, TimeSpan timeout, string? notFromMac = null)
    {
        var ip = IPAddress.Parse(address);
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_seen)
        {
            while (true)
            {
                foreach (var s in _seen)
                    if (s.At >= after && s.Address.Equals(ip) && (notFromMac is null || s.Mac != notFromMac)) return s.At;
                var left = deadline - Stopwatch.GetTimestamp();
                if (left <= 0) return null;
                Monitor.Wait(_seen, TimeSpan.FromSeconds(Math.Min(left / (double)Stopwatch.Frequency, 0.5)));
            }
        }
    }

    public void Clear()
    {
        lock (_seen) _seen.Clear();
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(1000);
        _socket.Dispose();
    }
}
