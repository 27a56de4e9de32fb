using System.Net.NetworkInformation;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Probing;
using Ipmp.Host.Kernel;
using Ipmp.Host.Runtime;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipmp.Host.Tests.Runtime;

/// <summary>The loop's transitive sockets: the responder answers only this daemon's requests, replies go to
/// the engine, anything else is dropped and counted, and one drain reads a bounded number of frames.
/// (The frames on the real kernel: Ipmp.Linux.Tests TransitiveSocketTests; end to end: the namespace tests.)</summary>
public class TransitiveSocketsTests
{
    private const ulong Cookie = 0xC0FFEE;
    private static readonly PhysicalAddress PeerMac = PhysicalAddress.Parse("02-00-00-00-00-02");

    private sealed class FakeSocket : ITransitiveSocket
    {
        public Queue<(byte[] Frame, PhysicalAddress From, byte Type)> Incoming { get; } = new();
        public List<(byte[] Frame, PhysicalAddress To)> Sent { get; } = [];
        public int Fd => 42;
        public void Send(ReadOnlySpan<byte> frame, PhysicalAddress destination) => Sent.Add((frame.ToArray(), destination));
        public bool TryReceive(Span<byte> buffer, out int length, out PhysicalAddress from, out byte packetType)
        {
            length = 0;
            from = PhysicalAddress.None;
            packetType = 0;
            if (!Incoming.TryDequeue(out var f)) return false;
            f.Frame.CopyTo(buffer);
            (length, from, packetType) = (f.Frame.Length, f.From, f.Type);
            return true;
        }
        public void Dispose() { }
    }

    private sealed class Host : IProbeSocketHost
    {
        public Action? Readable;
        public List<NetworkEvent> Delivered { get; } = [];
        public void Watch(int fd, Action onReadable) => Readable = onReadable;
        public void Unwatch(int fd) => Readable = null;
        public void Snooze(int fd, TimeSpan pause) => throw new InvalidOperationException("transitive sockets never snooze");
        public void WatchReplies(int fd, Action onReadable) => throw new InvalidOperationException("transitive sockets wake the loop");
        public void Deliver(NetworkEvent e) => Delivered.Add(e);
    }

    private sealed class Factory(FakeSocket socket) : ITransitiveSocketFactory
    {
        public ITransitiveSocket Create(int interfaceIndex, ushort etherType) => socket;
    }

    private static (TransitiveSockets Sockets, FakeSocket Socket, Host Host) Make()
    {
        var view = new KernelView();
        view.Update(new Ipmp.Linux.Netlink.LinkInfo(3, "net0", InterfaceFlags.Up | InterfaceFlags.Running, OperationalState.Up, true,
            PhysicalAddress.Parse("02-00-00-00-00-01"), 1500, 0, "veth", 1));
        var socket = new FakeSocket();
        var host = new Host();
        var sockets = new TransitiveSockets(view, new EngineClock(TimeProvider.System), host, Cookie, new Factory(socket), NullLogger.Instance);
        sockets.Listen(new ListenTransitive("net0", true));
        return (sockets, socket, host);
    }

    [Fact]
    public void Answers_its_own_requests_delivers_replies_and_drops_the_rest()
    {
        var (sockets, socket, host) = Make();
        var ours = new TransitiveFrame(false, 0x0703, 9, 123, Cookie).Encode();
        var foreign = new TransitiveFrame(false, 0x0703, 9, 123, Cookie + 1).Encode();
        var reply = new TransitiveFrame(true, 0x0703, 9, 123, Cookie).Encode();
        socket.Incoming.Enqueue((ours, PeerMac, 0));
        socket.Incoming.Enqueue((foreign, PeerMac, 0));                 // another daemon's: not reflected
        socket.Incoming.Enqueue((ours, PeerMac, 4));                    // our own outgoing copy
        socket.Incoming.Enqueue(("junk"u8.ToArray(), PeerMac, 0));
        socket.Incoming.Enqueue((reply, PeerMac, 0));
        host.Readable!();

        var (answer, to) = Assert.Single(socket.Sent);
        Assert.Equal(PeerMac, to);
        Assert.True(TransitiveFrame.TryDecode(answer, out var a) && a.IsReply && a.Sequence == 9 && a.Cookie == Cookie);
        var delivered = Assert.IsType<TransitiveReplyReceived>(Assert.Single(host.Delivered));
        Assert.Equal(("net0", PeerMac), (delivered.Interface, delivered.From));
        Assert.Equal(1, sockets.Answered);
        Assert.Equal(2, sockets.Dropped);
    }

    [Fact]
    public void One_drain_reads_at_most_the_budget()
    {
        var (_, socket, host) = Make();
        var reply = new TransitiveFrame(true, 1, 1, 1, Cookie).Encode();
        for (var i = 0; i < ProbeSockets.ReadBudget + 5; i++) socket.Incoming.Enqueue((reply, PeerMac, 0));
        host.Readable!();
        Assert.Equal(ProbeSockets.ReadBudget, host.Delivered.Count);
        Assert.Equal(5, socket.Incoming.Count);
    }

    [Fact]
    public void Stopping_to_listen_closes_the_socket()
    {
        var (sockets, _, host) = Make();
        sockets.Listen(new ListenTransitive("net0", false));
        Assert.Null(host.Readable);
    }
}
