using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Linux;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// Outbound traffic of a group leaves through its active members only, spread per flow:
/// <list type="bullet">
/// <item>each on-link network of the group has one route at <see cref="SpreadMetric"/> whose next hops are the
/// active members (the daemon adds its addresses with <c>noprefixroute</c>, so no route through a failed NIC
/// remains). IPv4 takes a device-only multipath route (RTA_MULTIPATH). IPv6 refuses device-only next hops in
/// RTA_MULTIPATH ("Device only routes can not be added for IPv6 using the multipath API"), so an IPv6 network
/// with two or more active members routes through a nexthop group (Linux 5.3+) of one device-only nexthop
/// object per member, all with ids in the daemon's range (<see cref="NextHopIdBase"/>); a change of members
/// rewrites the group, not the route. The kernel itself drops a member's nexthop when its carrier goes
/// (and refuses one while it is down); such a member is left out until it has carrier again;</item>
/// <item>gateway routes through members (the default route) are rewritten the same way, keeping their
/// gateway and metric;</item>
/// <item>the kernel hashes flows over next hops on layer 4 (<c>fib_multipath_hash_policy=1</c>): one
/// connection's packets take one NIC (no reordering), different connections spread;</item>
/// <item>IPv4 has no deprecated addresses in source selection, so these routes carry a data address as
/// preferred source: a test address is never chosen as a source by applications.</item>
/// </list>
/// Every member also keeps a route of its own to each network at a high metric
/// (<see cref="FallbackMetric"/>): it is never used while the multipath route is alive, but it gives replies
/// to a standby's or a failed NIC's probes a reverse path (rp_filter) and the kernel a route when all
/// active members' links are down.
/// <para>The keeper compares what the kernel reports with what it would write, field by field as the kernel
/// reports them (explicit metric, gateways without their scope, IPv6 multipath whether dumped as one route or
/// as sibling routes, nexthop groups by their members), and writes only the difference: when the routes
/// match, a sync writes nothing, so its own changes (which come back as route notifications and trigger
/// another sync) die out after one round.</para>
/// </summary>
public sealed class LoadSpreader(RtNetlinkClient client, KernelView view, Func<string, GroupRouting> routing, ILogger logger)
{
    private const byte RTNH_F_ONLINK = 4;
    /// <summary>Base metric of the per-member fallback routes (plus the member's ifindex).</summary>
    public const uint FallbackMetric = 1024;
    /// <summary>The metric of the multipath route to each on-link network, IPv4 and IPv6 alike (IPv6 has no
    /// metric 0: it would become 1024). Below the kernel's IPv6 prefix routes (256) and the fallback routes.</summary>
    public const uint SpreadMetric = 1;
    /// <summary>Nexthop object ids the daemon owns: <see cref="NextHopIdBase"/> up to <see cref="NextHopIdBase"/> +
    /// <see cref="NextHopIdCount"/> - 1 ("ip" in the top half). Objects in this range that no route uses are deleted.</summary>
    public const uint NextHopIdBase = 0x6970_0000;
    public const uint NextHopIdCount = 0x1_0000;
    private readonly Dictionary<string, IReadOnlyList<string>> _active = [];
    private RtNetlinkClient Client => client;
    private ILogger Logger => logger;
    private bool _nextHopsUnsupported;
    // Set when nexthop objects of ours may be left over (at start: from an earlier run).
    private bool _nextHopsDirty = true;

    /// <summary>Route and nexthop writes (adds, replaces, deletes) since start.</summary>
    public long RouteChanges { get; private set; }

    /// <summary>Syncs since start (each reads the main table; a steady state writes nothing).</summary>
    public long Syncs { get; private set; }

    /// <summary>Switches the kernel to layer-4 multipath hashing in this network namespace.</summary>
    public void EnableLayer4Hashing()
    {
        foreach (var path in new[] { "/proc/sys/net/ipv4/fib_multipath_hash_policy", "/proc/sys/net/ipv6/fib_multipath_hash_policy" })
        {
            try
            {
                File.WriteAllText(path, "1");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("cannot set {Path}: {Error}; outbound spreading will hash on addresses only", path, ex.Message);
            }
        }
    }

    public Task ApplyAsync(string group, IReadOnlyList<string> members, CancellationToken ct)
    {
        _active[group] = members;
        return SyncAsync(ct);
    }

    /// <summary>Who claims one on-link network: normally one group; several groups on one subnet are
    /// really on one IP link, and their members share the route (rather than rewrite it in turn).</summary>
    private sealed class Claim
    {
        public HashSet<int> Active { get; } = [];
        public HashSet<int> Members { get; } = [];
        public List<IPAddress> Sources { get; } = [];
        public List<string> Groups { get; } = [];
    }

    private readonly HashSet<IpPrefix> _sharedWarned = [];
    private readonly HashSet<IpPrefix> _singleV6Warned = [];

    /// <summary>Makes the kernel's routes match the active members of every group (after our own changes,
    /// and whenever someone else changed routes). Idempotent: when the routes match, nothing is written.
    /// Reads only the main table (the kernel filters the dump), IPv4 addresses when an IPv4 network needs a
    /// preferred source, and nexthop objects only when IPv6 multipath needs them.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        if (_active.Count == 0) return;
        Syncs++;
        var claims = new Dictionary<IpPrefix, Claim>();
        foreach (var (group, members) in _active.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var info = routing(group);
            foreach (var network in info.Networks)
            {
                if (!claims.TryGetValue(network, out var c)) claims[network] = c = new Claim();
                c.Active.UnionWith(members.Select(view.IndexOf).OfType<int>());
                c.Members.UnionWith(info.Members.Select(view.IndexOf).OfType<int>());
                c.Sources.AddRange(info.PreferredSources);
                c.Groups.Add(group);
            }
        }
        foreach (var (network, c) in claims)
            if (c.Groups.Count > 1 && _sharedWarned.Add(network))
                logger.LogWarning("groups {Groups} share network {Network}: they are on one IP link; outbound traffic is spread over all their active members",
                    string.Join(", ", c.Groups), network);

        var routes = Coalesce(await client.GetRoutesAsync(AddressFamily.Unspecified, RouteInfo.MainTable, ct));
        var local = claims.Any(kv => !kv.Key.IsV6 && kv.Value.Sources.Count > 0)
            ? (await client.GetAddressesAsync(AddressFamily.InterNetwork, ct)).Select(a => a.Address).ToHashSet()
            : [];
        var nexthops = !_nextHopsUnsupported && (_nextHopsDirty || routes.Any(r => Owned(r.NextHopId))
                || claims.Any(kv => kv.Key.IsV6 && kv.Value.Active.Count > 1))
            ? await NextHopTable.LoadAsync(this, ct)
            : null;
        // Routes of the dump that we replaced or deleted in this pass, and the nexthop ids our routes use now.
        var superseded = new HashSet<RouteInfo>(ReferenceEqualityComparer.Instance);
        var used = new HashSet<uint>();

        foreach (var (network, c) in claims)
        {
            var source = Source(c.Sources, network, local);
            foreach (var member in c.Members)
            {
                // One metric per member: routes with one destination and metric would replace or merge.
                var metric = FallbackMetric + (uint)member;
                if (routes.Any(r => IsMain(r) && r.Priority == metric && r.OutputInterface == member && r.NextHops.Count == 0
                    && r.NextHopId is null && Gateways(r).Count == 0 && IsTo(r, network))) continue;
                await ReplaceAsync(new RouteSpec
                {
                    Destination = network.Address,
                    PrefixLength = network.PrefixLength,
                    Scope = RouteScope.Link,
                    Priority = metric,
                    PreferredSource = source,
                    OutputInterface = member,
                }, ct);
            }
            // Our routes of earlier versions (metric 0, or IPv6's 1024 for "none"): they would shadow this one.
            foreach (var r in routes.Where(r => IsLegacy(r, network, c)))
            {
                superseded.Add(r);
                await DeleteAsync(r, ct);
            }
            if (c.Active.Count == 0) continue;   // group failure: leave the routes as they are
            var indexes = c.Active.Order().ToList();
            var existing = routes.FirstOrDefault(r => IsMain(r) && r.Priority == SpreadMetric && IsTo(r, network) && Gateways(r).Count == 0);
            if (network.IsV6 && indexes.Count > 1)
            {
                if (nexthops is null)
                {
                    if (_singleV6Warned.Add(network))
                        logger.LogWarning("this kernel takes no IPv6 device-only multipath (no nexthop objects): outbound IPv6 traffic to {Network} leaves through one active member",
                            network);
                    indexes = [indexes[0]];
                }
                else
                {
                    // Members whose nexthop the kernel refuses (no carrier) are left out until they have carrier.
                    var hops = new List<uint>();
                    foreach (var i in indexes)
                        if (await nexthops.MemberAsync(i, ct) is { } id) hops.Add(id);
                    if (hops.Count > 1)
                    {
                        if (existing?.NextHopId is { } gid && nexthops.OwnedGroup(gid) is { } group)
                        {
                            used.Add(gid);
                            if (!group.Group.Select(m => m.Id).ToHashSet().SetEquals(hops)) await nexthops.SetGroupAsync(gid, hops, ct);
                        }
                        else
                        {
                            var id = await nexthops.NewGroupAsync(hops, ct);
                            used.Add(id);
                            if (existing is not null) superseded.Add(existing);
                            await ReplaceAsync(new RouteSpec
                            {
                                Destination = network.Address,
                                PrefixLength = network.PrefixLength,
                                Priority = SpreadMetric,
                                NextHopId = id,
                            }, ct);
                        }
                        continue;
                    }
                    indexes = [hops.Count == 1 ? nexthops.ById[hops[0]].OutputInterface : indexes[0]];
                }
            }
            if (existing is not null && existing.NextHopId is null && Oifs(existing).SetEquals(indexes) && Equals(existing.PreferredSource, source)) continue;
            if (existing is not null) superseded.Add(existing);
            await ReplaceAsync(new RouteSpec
            {
                Destination = network.Address,
                PrefixLength = network.PrefixLength,
                Scope = RouteScope.Link,
                Priority = SpreadMetric,
                PreferredSource = source,
                OutputInterface = indexes.Count == 1 ? indexes[0] : 0,
                NextHops = indexes.Count == 1 ? null : [.. indexes.Select(i => new RouteNextHop(i, null))],
            }, ct);
        }
        // Routes through nexthop objects are someone else's (a routing daemon would rewrite them right back).
        foreach (var r in routes.Where(r => IsMain(r) && r.NextHopId is null && Gateways(r).Count > 0 && !superseded.Contains(r)))
        {
            var oifs = Oifs(r);
            if (oifs.Count == 0) continue;
            var gateway = Gateways(r)[0];
            // The claim of the gateway's network; a link-local IPv6 gateway belongs to the members it is reached
            // through (an IPv6 network's claim first).
            var (network, c) = claims.FirstOrDefault(kv => kv.Key.Contains(gateway));
            if (c is null && gateway.IsIPv6LinkLocal)
                c = claims.Where(kv => kv.Key.Family == r.Family && oifs.IsSubsetOf(kv.Value.Members)).Select(kv => kv.Value).FirstOrDefault()
                    ?? claims.Values.FirstOrDefault(x => oifs.IsSubsetOf(x.Members));
            if (c is null || c.Active.Count == 0 || !oifs.IsSubsetOf(c.Members)) continue;
            var indexes = c.Active.Order().ToList();
            var source = network == default ? null : Source(c.Sources, network, local);
            if (oifs.SetEquals(indexes) && Gateways(r).All(g => SameAddress(g, gateway)) && Equals(r.PreferredSource, source)) continue;
            await ReplaceAsync(new RouteSpec
            {
                Destination = r.Destination,
                PrefixLength = r.DestinationPrefixLength,
                Priority = r.Priority,
                PreferredSource = source,
                Gateway = indexes.Count == 1 ? gateway : null,
                OutputInterface = indexes.Count == 1 ? indexes[0] : 0,
                NextHops = indexes.Count == 1 ? null : [.. indexes.Select(i => new RouteNextHop(i, gateway, 1, RTNH_F_ONLINK))],
            }, ct);
        }
        if (nexthops is not null)
        {
            used.UnionWith(routes.Where(r => !superseded.Contains(r)).Select(r => r.NextHopId).OfType<uint>());
            _nextHopsDirty = !await nexthops.CollectAsync(used, ct);
        }
    }

    private async Task ReplaceAsync(RouteSpec spec, CancellationToken ct)
    {
        RouteChanges++;
        logger.LogDebug("route {Dst}/{Len} metric {Metric}: {Paths}", spec.Destination, spec.PrefixLength, spec.Priority,
            spec.NextHopId is { } id ? $"nhid {id}"
            : spec.NextHops is { } hops ? string.Join(", ", hops.Select(h => $"{h.Gateway?.ToString() ?? "dev"} {h.InterfaceIndex}"))
            : $"{spec.Gateway?.ToString() ?? "dev"} {spec.OutputInterface}");
        try
        {
            await client.AddRouteAsync(spec, replace: true, ct);
        }
        catch (NetlinkException ex) when (spec.NextHops is { Count: > 1 } paths)
        {
            // Not expected (IPv6 device-only multipath goes through nexthop groups): keep one next hop rather than none.
            logger.LogWarning("multipath route {Dst}/{Len} refused ({Error}); using one next hop", spec.Destination, spec.PrefixLength, ex.Message);
            await client.AddRouteAsync(spec with { NextHops = null, OutputInterface = paths[0].InterfaceIndex, Gateway = paths[0].Gateway }, replace: true, ct);
        }
    }

    private async Task DeleteAsync(RouteInfo r, CancellationToken ct)
    {
        RouteChanges++;
        logger.LogInformation("removing the outdated route {Route}", r);
        try
        {
            await client.DeleteRouteAsync(new RouteSpec
            {
                Destination = r.Destination,
                PrefixLength = r.DestinationPrefixLength,
                Priority = r.Priority,
                OutputInterface = r.NextHops.Count == 0 ? r.OutputInterface : 0,
                NextHops = r.NextHops.Count == 0 ? null : r.NextHops,
            }, ct);
        }
        catch (NetlinkException ex) when (ex.Errno is LinuxErrno.ESRCH or LinuxErrno.ENOENT)
        {
        }
    }

    /// <summary>
    /// An IPv6 multipath route as sibling routes (one per next hop, each with its gateway, one destination and
    /// metric: how some kernels dump it, and how they announce appended next hops) becomes one route with
    /// <see cref="RouteInfo.NextHops"/>, the way current kernels dump it. Routes from router advertisements are
    /// never siblings and stay apart. Everything else is returned as it is.
    /// </summary>
    public static IReadOnlyList<RouteInfo> Coalesce(IReadOnlyList<RouteInfo> routes)
    {
        var siblings = routes
            .Where(r => r.Family == AddressFamily.InterNetworkV6 && r.NextHops.Count == 0 && r.NextHopId is null && r.Gateway is not null
                && r.Protocol != RouteProtocol.Ra)
            .GroupBy(r => (r.Table, r.Destination, r.DestinationPrefixLength, r.Priority, r.Type))
            .Where(g => g.Count() > 1)
            .ToList();
        if (siblings.Count == 0) return routes;
        var merged = siblings.SelectMany(g => g).ToHashSet(ReferenceEqualityComparer.Instance);
        return
        [
            .. routes.Where(r => !merged.Contains(r)),
            .. siblings.Select(g => g.First() with
            {
                Gateway = null,
                OutputInterface = 0,
                NextHops = [.. g.Select(r => new RouteNextHop(r.OutputInterface, r.Gateway, 1, (byte)r.Flags))],
            }),
        ];
    }

    /// <summary>The daemon's nexthop objects, as the kernel last reported them in this sync; creates, rewrites and
    /// deletes them, keeping the table current.</summary>
    private sealed class NextHopTable(LoadSpreader owner, Dictionary<uint, NextHopInfo> byId)
    {
        public Dictionary<uint, NextHopInfo> ById { get; } = byId;
        private uint _next = NextHopIdBase;

        public static async Task<NextHopTable?> LoadAsync(LoadSpreader owner, CancellationToken ct)
        {
            try
            {
                var all = await owner.Client.GetNextHopsAsync(ct);
                return new NextHopTable(owner, all.ToDictionary(n => n.Id));
            }
            catch (NetlinkException ex) when (ex.Errno is LinuxErrno.EOPNOTSUPP or LinuxErrno.EINVAL or LinuxErrno.EPROTONOSUPPORT)
            {
                owner._nextHopsUnsupported = true;
                owner.Logger.LogWarning("this kernel has no nexthop objects ({Error})", ex.Message);
                return null;
            }
        }

        public NextHopInfo? OwnedGroup(uint id) => Owned(id) && ById.TryGetValue(id, out var n) && n.IsGroup ? n : null;

        /// <summary>The id of the member's device-only IPv6 nexthop, created if need be; null when the kernel refuses it.</summary>
        public async Task<uint?> MemberAsync(int ifindex, CancellationToken ct)
        {
            foreach (var n in ById.Values)
                if (Owned(n.Id) && !n.IsGroup && !n.Blackhole && n.Gateway is null && n.Family == AddressFamily.InterNetworkV6 && n.OutputInterface == ifindex)
                    return n.Id;
            var spec = new NextHopSpec { Id = Allocate(), Family = AddressFamily.InterNetworkV6, OutputInterface = ifindex };
            try
            {
                await AddAsync(spec, replace: false, ct);
                return spec.Id;
            }
            catch (NetlinkException ex) when (ex.Errno is LinuxErrno.ENETDOWN or LinuxErrno.EINVAL or LinuxErrno.ENODEV)
            {
                // No carrier, or the device is down or gone: the kernel keeps no nexthop on it.
                owner.Logger.LogDebug("no IPv6 nexthop on ifindex {Index}: {Error}", ifindex, ex.Message);
                return null;
            }
        }

        public async Task<uint> NewGroupAsync(IReadOnlyList<uint> members, CancellationToken ct)
        {
            var id = Allocate();
            await AddAsync(new NextHopSpec { Id = id, Group = [.. members.Select(m => new NextHopGroupMember(m))] }, replace: false, ct);
            return id;
        }

        public Task SetGroupAsync(uint id, IReadOnlyList<uint> members, CancellationToken ct) =>
            AddAsync(new NextHopSpec { Id = id, Group = [.. members.Select(m => new NextHopGroupMember(m))] }, replace: true, ct);

        private async Task AddAsync(NextHopSpec spec, bool replace, CancellationToken ct)
        {
            owner.RouteChanges++;
            owner._nextHopsDirty = true;
            owner.Logger.LogDebug("nexthop {Id}: {What}", spec.Id,
                spec.Group is { } g ? "group " + string.Join('/', g.Select(m => m.Id)) : $"dev {spec.OutputInterface}");
            await owner.Client.AddNextHopAsync(spec, replace, ct);
            ById[spec.Id] = new NextHopInfo(spec.Id, spec.Group is null ? spec.Family : AddressFamily.Unspecified, spec.OutputInterface,
                spec.Gateway, false, spec.Protocol, 0, spec.Group ?? []);
        }

        private uint Allocate()
        {
            while (ById.ContainsKey(_next)) _next++;
            if (_next >= NextHopIdBase + NextHopIdCount) throw new InvalidOperationException("no free nexthop id left in the daemon's range");
            return _next++;
        }

        /// <summary>Deletes our groups that no route uses, then our nexthops that neither a route nor any group
        /// uses. True when nothing of ours is left over.</summary>
        public async Task<bool> CollectAsync(HashSet<uint> used, CancellationToken ct)
        {
            var clean = true;
            foreach (var g in ById.Values.Where(n => Owned(n.Id) && n.IsGroup && !used.Contains(n.Id)).ToList())
                clean &= await DeleteAsync(g.Id, ct);
            var inGroups = ById.Values.SelectMany(n => n.Group).Select(m => m.Id).ToHashSet();
            foreach (var n in ById.Values.Where(n => Owned(n.Id) && !n.IsGroup && !used.Contains(n.Id) && !inGroups.Contains(n.Id)).ToList())
                clean &= await DeleteAsync(n.Id, ct);
            return clean;
        }

        private async Task<bool> DeleteAsync(uint id, CancellationToken ct)
        {
            owner.RouteChanges++;
            owner.Logger.LogDebug("nexthop {Id}: unused, deleted", id);
            try
            {
                await owner.Client.DeleteNextHopAsync(id, ct);
            }
            catch (NetlinkException ex) when (ex.Errno is LinuxErrno.ENOENT)
            {
            }
            ById.Remove(id);
            return true;
        }
    }

    private static bool Owned(uint? id) => id is >= NextHopIdBase and < NextHopIdBase + NextHopIdCount;

    /// <summary>A device-only route to the network through members, written by an earlier version of the daemon:
    /// proto static, metric 0 (IPv4; the kernel reports none) or 1024 (IPv6's "none").</summary>
    private static bool IsLegacy(RouteInfo r, IpPrefix network, Claim c) =>
        IsMain(r) && r.Protocol == RouteProtocol.Static && IsTo(r, network) && r.NextHopId is null && Gateways(r).Count == 0
        && (network.IsV6 ? r.Priority == FallbackMetric : (r.Priority ?? 0) == 0) && Oifs(r).IsSubsetOf(c.Members);

    private static bool IsTo(RouteInfo r, IpPrefix network) =>
        r.DestinationPrefixLength == network.PrefixLength && r.Destination.Equals(network.Address);

    /// <summary>One address, whatever its scope id: fe80::1%2 and fe80::1%3 are one gateway reached through two NICs.</summary>
    private static bool SameAddress(IPAddress a, IPAddress b) =>
        a.AddressFamily == b.AddressFamily && a.GetAddressBytes().AsSpan().SequenceEqual(b.GetAddressBytes());

    /// <summary>The preferred IPv4 source for a network: the first configured data address in it that exists.</summary>
    private static IPAddress? Source(List<IPAddress> sources, IpPrefix network, HashSet<IPAddress> local) =>
        network.IsV6 ? null : sources.FirstOrDefault(a => network.Contains(a) && local.Contains(a));

    private static bool IsMain(RouteInfo r) => r.Table == RouteInfo.MainTable && r.Type == RouteType.Unicast;

    private static HashSet<int> Oifs(RouteInfo r) =>
        r.NextHops.Count > 0 ? r.NextHops.Select(h => h.InterfaceIndex).ToHashSet() : [r.OutputInterface];

    private static List<IPAddress> Gateways(RouteInfo r) =>
        r.NextHops.Count > 0 ? r.NextHops.Select(h => h.Gateway).OfType<IPAddress>().ToList() : r.Gateway is { } g ? [g] : [];

    /// <summary>The network an address is on (host bits cleared).</summary>
    public static IpPrefix Network(IpPrefix p)
    {
        var bytes = p.Address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(p.PrefixLength - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IpPrefix(new IPAddress(bytes), p.PrefixLength);
    }

    public static bool IsLinkLocal(IpPrefix p) =>
        p.Address.AddressFamily == AddressFamily.InterNetworkV6 && p.Address.IsIPv6LinkLocal;
}
