using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// Outbound traffic of a group leaves through its active members only, spread per flow:
/// <list type="bullet">
/// <item>each on-link network of the group has one route whose next hops are the active members (the
/// daemon adds its addresses with <c>noprefixroute</c>, so no route through a failed NIC remains);</item>
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
/// </summary>
public sealed class LoadSpreader(RtNetlinkClient client, KernelView view, Func<string, GroupRouting> routing, ILogger logger)
{
    private const byte RTNH_F_ONLINK = 4;
    /// <summary>Base metric of the per-member fallback routes (plus the member's ifindex).</summary>
    public const uint FallbackMetric = 1024;
    private readonly Dictionary<string, IReadOnlyList<string>> _active = [];

    public long RouteChanges { get; private set; }

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

    /// <summary>Makes the kernel's routes match the active members of every group (after our own changes,
    /// and whenever someone else changed routes). Idempotent: when the routes match, nothing is written.</summary>
    public async Task SyncAsync(CancellationToken ct)
    {
        if (_active.Count == 0) return;
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

        var routes = await client.GetRoutesAsync(AddressFamily.Unspecified, ct);
        var local = (await client.GetAddressesAsync(AddressFamily.Unspecified, ct)).Select(a => a.Address).ToHashSet();
        foreach (var (network, c) in claims)
        {
            var source = Source(c.Sources, network, local);
            foreach (var member in c.Members)
            {
                // One metric per member: routes with one destination and metric would replace or merge.
                var metric = FallbackMetric + (uint)member;
                if (routes.Any(r => IsMain(r) && r.Priority == metric && r.OutputInterface == member && r.NextHops.Count == 0
                    && r.DestinationPrefixLength == network.PrefixLength && r.Destination.Equals(network.Address))) continue;
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
            if (c.Active.Count == 0) continue;   // group failure: leave the routes as they are
            var indexes = c.Active.Order().ToList();
            var existing = routes.FirstOrDefault(r => IsMain(r) && r.Gateway is null && r.NextHops.All(h => h.Gateway is null)
                && r.DestinationPrefixLength == network.PrefixLength && r.Destination.Equals(network.Address) && (r.Priority ?? 0) == 0);
            if (existing is not null && Oifs(existing).SetEquals(indexes) && Equals(existing.PreferredSource, source)) continue;
            await ReplaceAsync(new RouteSpec
            {
                Destination = network.Address,
                PrefixLength = network.PrefixLength,
                Scope = RouteScope.Link,
                PreferredSource = source,
                OutputInterface = indexes.Count == 1 ? indexes[0] : 0,
                NextHops = indexes.Count == 1 ? null : [.. indexes.Select(i => new RouteNextHop(i, null))],
            }, ct);
        }
        foreach (var r in routes.Where(r => IsMain(r) && Gateways(r).Count > 0))
        {
            var oifs = Oifs(r);
            if (oifs.Count == 0) continue;
            var gateway = Gateways(r)[0];
            // The claim of the gateway's network; a link-local IPv6 gateway belongs to the members it is reached through.
            var (network, c) = claims.FirstOrDefault(kv => kv.Key.Contains(gateway));
            if (c is null && gateway.IsIPv6LinkLocal) c = claims.Values.FirstOrDefault(x => oifs.IsSubsetOf(x.Members));
            if (c is null || c.Active.Count == 0 || !oifs.IsSubsetOf(c.Members)) continue;
            var indexes = c.Active.Order().ToList();
            var source = network == default ? null : Source(c.Sources, network, local);
            if (oifs.SetEquals(indexes) && Gateways(r).All(g => g.Equals(gateway)) && Equals(r.PreferredSource, source)) continue;
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
    }

    private async Task ReplaceAsync(RouteSpec spec, CancellationToken ct)
    {
        RouteChanges++;
        try
        {
            await client.AddRouteAsync(spec, replace: true, ct);
        }
        catch (NetlinkException ex) when (spec.NextHops is { Count: > 1 } hops)
        {
            // Some kernels refuse device-only IPv6 multipath: fall back to the first active member.
            logger.LogDebug("multipath route {Dst}/{Len} refused ({Error}); using one next hop", spec.Destination, spec.PrefixLength, ex.Message);
            await client.AddRouteAsync(spec with { NextHops = null, OutputInterface = hops[0].InterfaceIndex, Gateway = hops[0].Gateway }, replace: true, ct);
        }
    }

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
