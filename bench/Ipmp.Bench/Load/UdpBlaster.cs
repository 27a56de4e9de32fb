using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Bench.Load;

/// <summary>Threads in a lab namespace sending 1400-byte UDP datagrams as fast as they can to a discard port
/// of a lab address (the socket is created in the namespace, so the traffic never leaves the lab).</summary>
public sealed class UdpBlaster : IDisposable
{
    private readonly List<(Thread Thread, Socket Socket)> _workers = [];
    private volatile bool _stop;
    private long _sent;

    public UdpBlaster(string ns, IEnumerable<string> destinations, int threadsPerDestination = 1)
    {
        using var nsThread = NetworkNamespace.Open(ns);
        foreach (var d in destinations)
            for (var i = 0; i < threadsPerDestination; i++)
            {
                var socket = nsThread.Run(() =>
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    s.Connect(IPAddress.Parse(d), 9);
                    return s;
                });
                var t = new Thread(() => Loop(socket)) { IsBackground = true, Name = $"blast {d}" };
                _workers.Add((t, socket));
            }
        foreach (var w in _workers) w.Thread.Start();
    }

    public long Sent => Interlocked.Read(ref _sent);

    private void Loop(Socket s)
    {
        var payload = new byte[1400];
        while (!_stop)
        {
            try
            {
                s.Send(payload);
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException)
            {
                // ECONNREFUSED (ICMP port unreachable) or ENOBUFS: keep pushing.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var w in _workers)
        {
            w.Thread.Join(1000);
            w.Socket.Dispose();
        }
    }
}
