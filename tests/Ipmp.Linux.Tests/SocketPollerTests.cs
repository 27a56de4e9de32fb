using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Polling;

namespace Ipmp.Linux.Tests;

/// <summary>The poll thread that reads the probe sockets (loopback only).</summary>
public class SocketPollerTests
{
    private static Socket Udp()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { Blocking = false };
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    [Fact]
    public void Calls_the_handler_of_the_socket_that_became_readable_on_its_own_thread_and_stops_after_removal()
    {
        using var poller = new SocketPoller("test poller");
        using var a = Udp();
        using var b = Udp();
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        var got = new System.Collections.Concurrent.BlockingCollection<(string Which, int Thread)>();
        var buf = new byte[64];
        void Drain(Socket s, string name)
        {
            while (true)
            {
                try
                {
                    s.Receive(buf);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
                {
                    return;
                }
                got.Add((name, Environment.CurrentManagedThreadId));
            }
        }
        poller.Add(a, () => Drain(a, "a"));
        poller.Add(b, () => Drain(b, "b"));

        sender.SendTo(new byte[] { 1 }, a.LocalEndPoint!);
        Assert.True(got.TryTake(out var first, 5000));
        Assert.Equal("a", first.Which);
        Assert.NotEqual(Environment.CurrentManagedThreadId, first.Thread);
        sender.SendTo(new byte[] { 2 }, b.LocalEndPoint!);
        sender.SendTo(new byte[] { 3 }, b.LocalEndPoint!);
        Assert.True(got.TryTake(out var second, 5000));
        Assert.True(got.TryTake(out var third, 5000));
        Assert.Equal(("b", "b"), (second.Which, third.Which));

        poller.Remove(a);
        sender.SendTo(new byte[] { 4 }, a.LocalEndPoint!);
        sender.SendTo(new byte[] { 5 }, b.LocalEndPoint!);   // b still works, and a stays unread
        Assert.True(got.TryTake(out var fourth, 5000));
        Assert.Equal("b", fourth.Which);
        Assert.False(got.TryTake(out _, 200));
        Assert.Equal(1, a.Available > 0 ? 1 : 0);
    }
}
