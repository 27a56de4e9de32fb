using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Host.Runtime;
using Ipmp.Linux;
using Ipmp.Linux.Icmp;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Polling;

namespace Ipmp.Host.Tests.Runtime;

/// <summary>
/// rtnetlink without a kernel: links and addresses in memory, notifications through a real eventfd (so the
/// loop's epoll waits on it as on a netlink socket), and faults on demand. Requests behave as the kernel's:
/// an add or delete is answered, then notified.
/// </summary>
public sealed class FakeKernel : IKernelLink
{
    private readonly EventFd _doorbell = EventFd.Create();
    private readonly Queue<RtNetlinkEvent> _notifications = new();
    private readonly Dictionary<int, LinkInfo> _links = [];
    private readonly List<AddressInfo> _addresses = [];

    public int NotificationFd => _doorbell.Fd;

    /// <summary>Refuse this many address adds with EBUSY.</summary>
    public int FailAdds { get; set; }
    /// <summary>Throw something no netlink client should ever throw (a bug) on the next add.</summary>
    public bool ThrowOnAdd { get; set; }
    public bool ThrowOnRead { get; set; }
    /// <summary>Runs while a link dump is being taken (after the dump has read the links).</summary>
    public Action? DuringLinkDump { get; set; }
    public int LinkDumps { get; private set; }

    public void AddLink(int index, string name, bool carrier = true)
    {
        _links[index] = Link(index, name, carrier);
    }

    public static LinkInfo Link(int index, string name, bool carrier) => new(index, name,
        InterfaceFlags.Up | InterfaceFlags.Broadcast | InterfaceFlags.Multicast | (carrier ? InterfaceFlags.LowerUp | InterfaceFlags.Running : 0),
        carrier ? OperationalState.Up : OperationalState.Down, carrier, PhysicalAddress.Parse($"02-00-00-00-00-{index:X2}"), 1500, 0, "veth", 1);

    /// <summary>The carrier changes and the kernel says so.</summary>
    public void SetCarrier(int index, bool carrier)
    {
        var l = Link(index, _links[index].Name, carrier);
        _links[index] = l;
        Notify(new LinkEvent(RtNetlinkChange.New, l));
    }

    public void Notify(RtNetlinkEvent e)
    {
        _notifications.Enqueue(e);
        _doorbell.Ring();
    }

    public void AddAddressQuietly(int index, string prefix)
    {
        var p = prefix.Split('/');
        _addresses.Add(Address(index, IPAddress.Parse(p[0]), int.Parse(p[1]), false));
    }

    private static AddressInfo Address(int index, IPAddress a, int len, bool deprecated) => new(index, a.AddressFamily, a, len,
        0, RouteScope.Universe, null, null, null, deprecated ? 0 : AddressInfo.Infinite, AddressInfo.Infinite);

    public List<string> AddressesOf(int index) =>
        [.. _addresses.Where(a => a.InterfaceIndex == index).Select(a => $"{a.Address}/{a.PrefixLength}")];

    public bool TryReadNotification(out RtNetlinkEvent? e)
    {
        if (ThrowOnRead) throw new InvalidOperationException("injected: a broken notification reader");
        if (_notifications.TryDequeue(out e)) return true;
        _doorbell.Clear();
        return false;
    }

    public IReadOnlyList<LinkInfo> DumpLinks()
    {
        LinkDumps++;
        var dump = _links.Values.ToList();
        DuringLinkDump?.Invoke();
        return dump;
    }

    public IReadOnlyList<AddressInfo> DumpAddresses() => [.. _addresses];

    public void AddAddress(int index, IPAddress address, int prefixLength, AddressOptions options)
    {
        if (ThrowOnAdd) throw new ArgumentException("injected: a bug below the executor");
        if (FailAdds > 0)
        {
            FailAdds--;
            throw new NetlinkException((int)LinuxErrno.EBUSY, null, $"add address {address}/{prefixLength}");
        }
        if (!_links.ContainsKey(index)) throw new NetlinkException((int)LinuxErrno.ENODEV, null, "add address");
        if (_addresses.Any(a => a.InterfaceIndex == index && a.Address.Equals(address)))
            throw new NetlinkException((int)LinuxErrno.EEXIST, null, "add address");
        var info = Address(index, address, prefixLength, options.Deprecated);
        _addresses.Add(info);
        Notify(new AddressEvent(RtNetlinkChange.New, info));
    }

    public void DeleteAddress(int index, IPAddress address, int prefixLength)
    {
        var found = _addresses.FirstOrDefault(a => a.InterfaceIndex == index && a.Address.Equals(address))
            ?? throw new NetlinkException((int)LinuxErrno.EADDRNOTAVAIL, null, "delete address");
        _addresses.Remove(found);
        Notify(new AddressEvent(RtNetlinkChange.Deleted, found));
    }

    public void Dispose() => _doorbell.Dispose();
}

/// <summary>Announcements and member set-up, recorded.</summary>
public sealed class RecordingLinkActions : ILinkActions
{
    public List<(int Index, IPAddress Address)> Announced { get; } = [];
    public void Announce(int interfaceIndex, PhysicalAddress mac, IPAddress address) => Announced.Add((interfaceIndex, address));
    public void PrepareMember(string interfaceName) { }
}

/// <summary>Probe sockets on a simulated link: every echo request to a target (or to the all-hosts group)
/// is answered by <see cref="Target"/> unless the NIC's switch port is dead. Readiness goes through a real
/// eventfd, so the loop's epoll sees it.</summary>
public sealed class FakeProbeNetwork : IProbeSocketFactory
{
    public IPAddress Target { get; set; } = IPAddress.Parse("192.168.10.1");
    public HashSet<int> DeadPorts { get; } = [];
    public int Sent { get; private set; }
    public int Received { get; private set; }

    public IProbeSocket Create(int interfaceIndex, IPAddress source, ushort identifier) => new Socket(this, interfaceIndex);

    private sealed class Socket(FakeProbeNetwork net, int index) : IProbeSocket
    {
        private readonly EventFd _ready = EventFd.Create();
        private readonly Queue<(byte[] Icmp, IPAddress From)> _replies = new();

        public int Fd => _ready.Fd;

        public void Send(ReadOnlySpan<byte> icmp, IPAddress destination)
        {
            net.Sent++;
            if (net.DeadPorts.Contains(index)) return;
            var reply = icmp.ToArray();
            reply[0] = 0;   // echo reply
            reply[2] = reply[3] = 0;
            var sum = Ipmp.Core.Probing.IcmpChecksum.Compute(reply);
            reply[2] = (byte)(sum >> 8);
            reply[3] = (byte)sum;
            _replies.Enqueue((reply, net.Target));
            _ready.Ring();
        }

        public bool TryReceive(Span<byte> buffer, out IcmpReceived received)
        {
            if (!_replies.TryDequeue(out var r))
            {
                _ready.Clear();
                received = default;
                return false;
            }
            r.Icmp.CopyTo(buffer);
            net.Received++;
            received = new IcmpReceived(r.Icmp.Length, r.From, index, null, 0, 64, false);
            return true;
        }

        public void Dispose() => _ready.Dispose();
    }
}
