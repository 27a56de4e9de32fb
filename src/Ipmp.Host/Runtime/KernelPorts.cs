using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Host.Kernel;
using Ipmp.Linux.Announce;
using Ipmp.Linux.Icmp;
using Ipmp.Linux.Netlink;

namespace Ipmp.Host.Runtime;

/// <summary>What the event loop needs of rtnetlink: a notification descriptor to wait on, and
/// synchronous requests. The daemon uses <see cref="NetlinkKernelLink"/>; the runtime's tests a fake that
/// needs no privileges and can fail, race and throw on demand.</summary>
public interface IKernelLink : IDisposable
{
    /// <summary>Readable (epoll) when <see cref="TryReadNotification"/> has something.</summary>
    int NotificationFd { get; }
    bool TryReadNotification(out RtNetlinkEvent? e);
    IReadOnlyList<LinkInfo> DumpLinks();
    IReadOnlyList<AddressInfo> DumpAddresses();
    void AddAddress(int index, IPAddress address, int prefixLength, AddressOptions options);
    void DeleteAddress(int index, IPAddress address, int prefixLength);
}

/// <summary>The real thing: a link/address notification socket and a request socket of the loop's own.</summary>
public sealed class NetlinkKernelLink : IKernelLink
{
    // Subscribed before the first dump: nothing that happens during it is lost.
    private readonly RtNetlinkMonitor _monitor = RtNetlinkMonitor.Create(RtNetlinkGroups.Link | RtNetlinkGroups.IPv4Address | RtNetlinkGroups.IPv6Address);
    private readonly RtNetlinkClient _client = RtNetlinkClient.Create();

    public int NotificationFd => _monitor.Fd;
    public bool TryReadNotification(out RtNetlinkEvent? e) => _monitor.TryReceive(out e);
    public IReadOnlyList<LinkInfo> DumpLinks() => _client.GetLinks();
    public IReadOnlyList<AddressInfo> DumpAddresses() => _client.GetAddresses();
    public void AddAddress(int index, IPAddress address, int prefixLength, AddressOptions options) =>
        _client.AddAddress(index, address, prefixLength, options);
    public void DeleteAddress(int index, IPAddress address, int prefixLength) => _client.DeleteAddress(index, address, prefixLength);

    public void Dispose()
    {
        _monitor.Dispose();
        _client.Dispose();
    }
}

/// <summary>A probe socket as the loop sees it (raw ICMP in the daemon, a fake in the runtime's tests).</summary>
public interface IProbeSocket : IDisposable
{
    int Fd { get; }
    void Send(ReadOnlySpan<byte> icmp, IPAddress destination);
    bool TryReceive(Span<byte> buffer, out IcmpReceived received);
}

public interface IProbeSocketFactory
{
    /// <param name="identifier">The echo identifier of the interface's probes: the socket queues only replies that carry it.</param>
    IProbeSocket Create(int interfaceIndex, IPAddress source, ushort identifier);
}

public sealed class IcmpProbeSocketFactory : IProbeSocketFactory
{
    public static IcmpProbeSocketFactory Instance { get; } = new();

    public IProbeSocket Create(int interfaceIndex, IPAddress source, ushort identifier)
    {
        var socket = IcmpProbeSocket.Create(interfaceIndex, source);
        try
        {
            socket.AcceptOnly(identifier);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new Adapter(socket);
    }

    private sealed class Adapter(IcmpProbeSocket socket) : IProbeSocket
    {
        public int Fd => (int)socket.Socket.Handle;
        public void Send(ReadOnlySpan<byte> icmp, IPAddress destination) => socket.Send(icmp, destination);
        public bool TryReceive(Span<byte> buffer, out IcmpReceived received) => socket.TryReceiveNow(buffer, out received);
        public void Dispose() => socket.Dispose();
    }
}

/// <summary>A transitive probe socket as the loop sees it (AF_PACKET in the daemon, a fake in tests).</summary>
public interface ITransitiveSocket : IDisposable
{
    int Fd { get; }
    void Send(ReadOnlySpan<byte> frame, PhysicalAddress destination);
    /// <summary>The next frame, its sender and its packet type (PACKET_HOST = 0: addressed to us); false when none.</summary>
    bool TryReceive(Span<byte> buffer, out int length, out PhysicalAddress from, out byte packetType);
}

public interface ITransitiveSocketFactory
{
    ITransitiveSocket Create(int interfaceIndex, ushort etherType);
}

public sealed class PacketTransitiveSocketFactory : ITransitiveSocketFactory
{
    public static PacketTransitiveSocketFactory Instance { get; } = new();

    public ITransitiveSocket Create(int interfaceIndex, ushort etherType) =>
        new Adapter(Ipmp.Linux.Transitive.TransitiveSocket.Create(interfaceIndex, etherType));

    private sealed class Adapter(Ipmp.Linux.Transitive.TransitiveSocket socket) : ITransitiveSocket
    {
        public int Fd => socket.Fd;
        public void Send(ReadOnlySpan<byte> frame, PhysicalAddress destination) => socket.Send(frame, destination);
        public bool TryReceive(Span<byte> buffer, out int length, out PhysicalAddress from, out byte packetType) =>
            socket.TryReceive(buffer, out length, out from, out packetType);
        public void Dispose() => socket.Dispose();
    }
}

/// <summary>Link-layer actions: announcing an address (gratuitous ARP / unsolicited NA) and a new member's
/// sysctls.</summary>
public interface ILinkActions
{
    void Announce(int interfaceIndex, PhysicalAddress mac, IPAddress address);
    void PrepareMember(string interfaceName);
}

/// <summary>The real link-layer actions. Owned by one event loop (its ARP socket lives in the loop's
/// namespace and is closed with it).</summary>
public sealed class KernelLinkActions : ILinkActions, IDisposable
{
    private readonly GratuitousArpSender _arp = new();

    public void Announce(int interfaceIndex, PhysicalAddress mac, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) _arp.Send(interfaceIndex, mac, address);
        else UnsolicitedNeighborAdvertisement.Send(interfaceIndex, mac, address);
    }

    public void PrepareMember(string interfaceName) => MemberSysctls.Apply(interfaceName);

    public void Dispose() => _arp.Dispose();
}
