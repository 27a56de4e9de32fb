using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Events;
using Ipmp.Core.Model;
using Ipmp.Core.Probing;

namespace Ipmp.Simulation;

/// <summary>
/// One simulated IP link (a switch) with the host under test's NICs and other nodes on it, implementing
/// the same <see cref="INetworkPort"/> as the Linux backend. Commands change the simulated kernel;
/// what the kernel would report comes back as queued <see cref="NetworkEvent"/>s.
/// </summary>
public sealed class SimNetwork(SimClock clock, SimScheduler scheduler, Random random) : INetworkPort
{
    private readonly Dictionary<string, SimNic> _nics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IpPrefix>> _kernel = new(StringComparer.Ordinal);
    private readonly List<SimHost> _hosts = [];
    private int _nextIndex = 2;

    public SimClock Clock { get; } = clock;
    public SimScheduler Scheduler { get; } = scheduler;
    public Queue<NetworkEvent> Events { get; } = new();
    public List<RouteInfo> RoutesV4 { get; } = [];
    public List<RouteInfo> RoutesV6 { get; } = [];

    public IReadOnlyCollection<SimNic> Nics => _nics.Values;
    public IReadOnlyList<SimHost> Hosts => _hosts;
    public SimNic Nic(string name) => _nics[name];
    public SimHost Host(string name) => _hosts.First(h => h.Name == name);

    /// <summary>Every command the engine gave, with its time (the timeline and tests read it).</summary>
    public List<(TimeSpan At, NetworkCommand Command)> Journal { get; } = [];
    public long ProbesDropped { get; private set; }

    // ---- building the topology ----

    public SimNic AddNic(string name, bool present = true)
    {
        var index = _nextIndex++;
        var nic = new SimNic(name, index, MacFor(index), new SimPort($"port-{name}")) { Present = present };
        _nics[name] = nic;
        _kernel[name] = [];
        if (present) _kernel[name].Add(LinkLocalFor(nic.Mac));
        return nic;
    }

    public SimHost AddHost(string name, params string[] addresses)
    {
        var mac = MacFor(100 + _hosts.Count);
        var all = addresses.Select(IPAddress.Parse).ToList();
        all.Add(LinkLocalFor(mac).Address);
        var host = new SimHost(name, mac, new SimPort($"port-{name}"), [.. all]);
        _hosts.Add(host);
        return host;
    }

    /// <summary>A router: a host whose addresses are also default gateways of the host under test.</summary>
    public SimHost AddRouter(string name, params string[] addresses)
    {
        var r = AddHost(name, addresses);
        foreach (var a in addresses.Select(IPAddress.Parse))
        {
            if (a.AddressFamily == AddressFamily.InterNetwork)
                RoutesV4.Add(new RouteInfo(IpPrefix.Parse("0.0.0.0/0"), a, null));
            else if (a.IsIPv6LinkLocal)
                RoutesV6.Add(new RouteInfo(IpPrefix.Parse("::/0"), a, _nics.Keys.FirstOrDefault()));
        }
        return r;
    }

    public static PhysicalAddress MacFor(int n) => new([0x02, 0x00, 0x5e, 0x10, (byte)(n >> 8), (byte)n]);

    /// <summary>The EUI-64 link-local address the kernel derives from a MAC.</summary>
    public static IpPrefix LinkLocalFor(PhysicalAddress mac)
    {
        var m = mac.GetAddressBytes();
        var b = new byte[16];
        b[0] = 0xfe; b[1] = 0x80;
        b[8] = (byte)(m[0] ^ 0x02); b[9] = m[1]; b[10] = m[2]; b[11] = 0xff; b[12] = 0xfe;
        b[13] = m[3]; b[14] = m[4]; b[15] = m[5];
        return new IpPrefix(new IPAddress(b), 64);
    }

    // ---- what the kernel shows ----

    public IReadOnlySet<IpPrefix> AddressesOf(string nic) => _kernel[nic];

    public string? WhoHas(IPAddress address) =>
        _kernel.Where(kv => _nics[kv.Key].Present && kv.Value.Any(p => p.Address.Equals(address))).Select(kv => kv.Key).FirstOrDefault();

    public IReadOnlyList<string> AllHolders(IPAddress address) =>
        _kernel.Where(kv => _nics[kv.Key].Present && kv.Value.Any(p => p.Address.Equals(address))).Select(kv => kv.Key).ToList();

    public NetworkSnapshot Snapshot() => new(
        [.. _nics.Values.Where(n => n.Present).Select(n => n.ToLinkInfo())],
        [.. _kernel.Where(kv => _nics[kv.Key].Present).SelectMany(kv => kv.Value.Select(p => new AddressInfo(kv.Key, p)))]);

    public IEnumerable<NetworkEvent> InitialEvents()
    {
        yield return Snapshot();
        yield return new RoutesObserved(AddressFamily.InterNetwork, [.. RoutesV4]);
        yield return new RoutesObserved(AddressFamily.InterNetworkV6, [.. RoutesV6]);
    }

    // ---- faults and repairs ----

    /// <summary>Cable pulled (or the switch-side port set down): carrier goes.</summary>
    public void PullCable(string nic) => SetCarrier(nic, false);
    public void PlugCable(string nic) => SetCarrier(nic, true);

    private void SetCarrier(string name, bool up)
    {
        var nic = _nics[name];
        nic.Port.Carrier = up;
        if (nic.Present) Events.Enqueue(new LinkObserved(nic.ToLinkInfo()));
    }

    /// <summary>The port stops passing frames; carrier stays up, so only probes can tell.</summary>
    public void KillPort(string nic) => _nics[nic].Port.Forwarding = false;
    public void RepairPort(string nic) => _nics[nic].Port.Forwarding = true;

    /// <summary>The NIC is removed from the system (hot-unplug): it and its addresses vanish.</summary>
    public void Unplug(string name)
    {
        var nic = _nics[name];
        nic.Present = false;
        _kernel[name].Clear();
        Events.Enqueue(new LinkRemoved(name));
    }

    /// <summary>A NIC appears (hot-plug, or one that was missing at boot): it comes up with its link-local address.</summary>
    public void Plug(string name)
    {
        var nic = _nics[name];
        nic.Present = true;
        var ll = LinkLocalFor(nic.Mac);
        _kernel[name].Add(ll);
        Events.Enqueue(new LinkObserved(nic.ToLinkInfo()));
        Events.Enqueue(new AddressObserved(new AddressInfo(name, ll)));
    }

    /// <summary>An administrator changes a NIC (its MAC, its flags): the kernel reports the link again.</summary>
    public void ChangeLink(string name, Action<SimNic> change)
    {
        var nic = _nics[name];
        change(nic);
        if (nic.Present) Events.Enqueue(new LinkObserved(nic.ToLinkInfo()));
    }

    /// <summary>An administrator deletes an address behind the daemon's back.</summary>
    public void DeleteAddressBehindBack(string nic, IpPrefix address)
    {
        if (_kernel[nic].Remove(address)) Events.Enqueue(new AddressRemoved(nic, address));
    }

    public void SetRoutes(AddressFamily family, IEnumerable<RouteInfo> routes)
    {
        var list = family == AddressFamily.InterNetwork ? RoutesV4 : RoutesV6;
        list.Clear();
        list.AddRange(routes);
        Events.Enqueue(new RoutesObserved(family, [.. list]));
    }

    // ---- INetworkPort ----

    public void Execute(NetworkCommand command)
    {
        Journal.Add((Clock.Now, command));
        switch (command)
        {
            case AddAddress a:
                if (_nics.TryGetValue(a.Interface, out var n1) && n1.Present && _kernel[a.Interface].Add(a.Address))
                    Events.Enqueue(new AddressObserved(new AddressInfo(a.Interface, a.Address, a.Role == AddressRole.Test)));
                break;
            case RemoveAddress r:
                if (_kernel.TryGetValue(r.Interface, out var set) && set.Remove(r.Address))
                    Events.Enqueue(new AddressRemoved(r.Interface, r.Address));
                break;
            case AnnounceAddress an:
                Announce(an.Interface, an.Address);
                break;
            case SendProbe p:
                SendProbe(p);
                break;
            case SendTransitiveProbe t:
                SendTransitive(t);
                break;
            case ListenTransitive l:
                if (l.On) _answering.Add(l.Interface);
                else _answering.Remove(l.Interface);
                break;
        }
    }

    /// <summary>The cookie of the daemon's transitive responder (the engine's own): set by the simulation.</summary>
    public ulong TransitiveCookie { get; set; }
    private readonly HashSet<string> _answering = new(StringComparer.Ordinal);

    /// <summary>Round trip of a transitive probe between two NICs through the switch.</summary>
    public TimeSpan TransitiveRtt { get; set; } = TimeSpan.FromMicroseconds(100);

    public long TransitiveFramesSent { get; private set; }

    /// <summary>
    /// A transitive probe: a frame from one NIC through its port and the peer's port to the peer, where the
    /// daemon's responder answers it back the same way. Both NICs must pass frames, on the way out and on
    /// the way back; no IP is involved, so no host's neighbour cache changes.
    /// </summary>
    private void SendTransitive(SendTransitiveProbe t)
    {
        TransitiveFramesSent++;
        Events.Enqueue(new TransitiveProbeSent(t.Interface, t.Sequence, Clock.Now));
        var from = _nics[t.Interface];
        var to = _nics.Values.FirstOrDefault(n => n.Mac.Equals(t.PeerMac));
        if (!from.Works || to is null || !to.Works || !_answering.Contains(to.Name) || !TransitiveFrame.TryMakeReply(t.Frame.Span, TransitiveCookie, out var reply))
        {
            ProbesDropped++;
            return;
        }
        var peerMac = to.Mac;
        Scheduler.At(Clock.Now + TransitiveRtt, () =>
        {
            if (!from.Works || !to.Works)
            {
                ProbesDropped++;
                return;
            }
            Events.Enqueue(new TransitiveReplyReceived(t.Interface, peerMac, reply, Clock.Now + ReceiveStampOffset));
        });
    }

    private void Announce(string nicName, IPAddress address)
    {
        var nic = _nics[nicName];
        if (!nic.Works) return;
        foreach (var h in _hosts.Where(h => h.Works)) h.NeighbourCache[address] = nic.Mac;
    }

    /// <summary>How long after the engine's round a probe actually leaves (a busy daemon); the network reports
    /// the departure time with <see cref="ProbeSent"/>, as the daemon's executor does.</summary>
    public TimeSpan SendDelay { get; set; }

    /// <summary>Added to every reply's receive stamp: a negative value models a receive stamp taken on another
    /// clock path than the send time, so that a very fast reply appears to arrive before its probe left.</summary>
    public TimeSpan ReceiveStampOffset { get; set; }

    private void SendProbe(SendProbe p)
    {
        if (SendDelay <= TimeSpan.Zero)
        {
            Events.Enqueue(new ProbeSent(new ProbeRef(p.Interface, p.Source, p.Sequence), Clock.Now));
            DeliverProbe(p);
            return;
        }
        Scheduler.At(Clock.Now + SendDelay, () =>
        {
            Events.Enqueue(new ProbeSent(new ProbeRef(p.Interface, p.Source, p.Sequence), Clock.Now));
            DeliverProbe(p);
        });
    }

    private void DeliverProbe(SendProbe p)
    {
        var nic = _nics[p.Interface];
        var isV6 = p.Destination.AddressFamily == AddressFamily.InterNetworkV6;
        if (!nic.Works)
        {
            ProbesDropped++;
            return;
        }
        var multicast = isV6 ? p.Destination.IsIPv6Multicast : p.Destination.GetAddressBytes()[0] is >= 224 and <= 239;
        foreach (var host in _hosts)
        {
            if (!host.Works || !host.AnswersEcho) continue;
            IPAddress? from;
            if (multicast)
            {
                if (!host.AnswersMulticastEcho) continue;
                from = host.AddressOf(p.Destination.AddressFamily, linkLocal: isV6);
            }
            else
            {
                from = host.Addresses.FirstOrDefault(a => a.Equals(p.Destination));
            }
            if (from is null) continue;
            if (host.LossRate > 0 && random.NextDouble() < host.LossRate)
            {
                ProbesDropped++;
                continue;
            }
            var delay = host.Rtt + (host.Jitter > TimeSpan.Zero ? host.Jitter * random.NextDouble() : TimeSpan.Zero);
            if (host.SpikeRate > 0 && random.NextDouble() < host.SpikeRate) delay += host.SpikeDelay * random.NextDouble();
            var reply = ProbePacket.MakeEchoReply(p.Icmp.Span, isV6);
            var nicName = p.Interface;
            Scheduler.At(Clock.Now + delay, () =>
            {
                // The reply must make it back through the same NIC.
                if (!host.Works || !_nics[nicName].Works)
                {
                    ProbesDropped++;
                    return;
                }
                Events.Enqueue(new ProbeReplyReceived(nicName, from, reply, Clock.Now + ReceiveStampOffset));
            });
        }
    }

    // ---- what a client sees ----

    /// <summary>
    /// Whether <paramref name="client"/> can exchange packets with <paramref name="address"/> right now:
    /// the client's neighbour entry must point at a NIC that holds the address and passes frames. A client
    /// without an entry resolves it (only the NIC holding the address answers, as with arp_ignore=1).
    /// </summary>
    public bool CanReach(SimHost client, IPAddress address)
    {
        if (!client.Works) return false;
        if (!client.NeighbourCache.TryGetValue(address, out var mac))
        {
            var holder = AllHolders(address).Select(n => _nics[n]).FirstOrDefault(n => n.Works);
            if (holder is null) return false;
            client.NeighbourCache[address] = mac = holder.Mac;
        }
        var nic = _nics.Values.FirstOrDefault(n => n.Mac.Equals(mac));
        return nic is not null && nic.Works && _kernel[nic.Name].Any(p => p.Address.Equals(address));
    }
}
