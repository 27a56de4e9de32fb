using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Lab;

/// <summary>TCP and UDP echo servers in the host namespace, bound to any address (as an application on
/// an IPMP host would be): whatever NIC holds the data address, they answer.</summary>
public sealed class EchoServer : IDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly Socket _tcp;
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="udpAddress">UDP replies must come from the address the client sent to, so the UDP
    /// socket is bound to it (IP_FREEBIND: it may move between NICs).</param>
    public EchoServer(string hostNs, int port, IPAddress? udpAddress = null)
    {
        _ns = NetworkNamespace.Open(hostNs);
        (_tcp, _udp) = _ns.Run(() =>
        {
            var tcp = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
            tcp.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            tcp.Listen();
            var udpBind = udpAddress ?? IPAddress.IPv6Any;
            var udp = new Socket(udpBind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (udpBind.AddressFamily == AddressFamily.InterNetworkV6) udp.DualMode = true;
            else udp.SetRawSocketOption(0, 15 /* IP_FREEBIND */, BitConverter.GetBytes(1));
            udp.Bind(new IPEndPoint(udpBind, port));
            return (tcp, udp);
        });
        _ = AcceptLoop();
        _ = UdpLoop();
    }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var c = await _tcp.AcceptAsync(_stop.Token);
                _ = Task.Run(async () =>
                {
                    var buf = new byte[65536];
                    try
                    {
                        int n;
                        while ((n = await c.ReceiveAsync(buf, SocketFlags.None, _stop.Token)) > 0)
                            await c.SendAsync(buf.AsMemory(0, n), SocketFlags.None, _stop.Token);
                    }
                    catch (Exception ex) when (ex is SocketException or OperationCanceledException) { }
                    finally { c.Dispose(); }
                });
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    private async Task UdpLoop()
    {
        var buf = new byte[2048];
        EndPoint any = new IPEndPoint(_udp.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        try
        {
            while (true)
            {
                var r = await _udp.ReceiveFromAsync(buf, SocketFlags.None, any, _stop.Token);
                await _udp.SendToAsync(buf.AsMemory(0, r.ReceivedBytes), SocketFlags.None, r.RemoteEndPoint, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _tcp.Dispose();
        _udp.Dispose();
        _ns.Dispose();
    }
}
