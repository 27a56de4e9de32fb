using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// Outbound load spreading: each on-link network of a group gets one route whose next hops are the
/// group's active members, and the kernel hashes flows over them on layer 4
/// (<c>fib_multipath_hash_policy=1</c>), so one connection's packets always leave through one NIC (no
/// reordering) while different connections spread. The daemon adds its addresses with
/// <c>noprefixroute</c>, so this route is the only one for the network: a failed NIC is never used for
/// outbound traffic. Probes are bound to their NIC and do not depend on it.
/// </summary>
public sealed class LoadSpreader(RtNetlinkClient client, KernelView view, ILogger logger)
{
    private readonly Dictionary<IpPrefix, string> _applied = [];

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

    public async Task ApplyAsync(IReadOnlyList<string> members, IEnumerable<IpPrefix> networks, CancellationToken ct)
    {
        var indexes = members.Select(view.IndexOf).OfType<int>().ToList();
        if (indexes.Count == 0) return;   // group failure: leave the routes as they are
        var key = string.Join(',', indexes);
        foreach (var network in networks.Select(Network).Distinct())
        {
            if (_applied.TryGetValue(network, out var done) && done == key) continue;
            try
            {
                await client.AddRouteAsync(Spec(network, indexes), replace: true, ct);
            }
            catch (NetlinkException ex) when (indexes.Count > 1)
            {
                // Some kernels refuse device-only IPv6 multipath: fall back to the first active member.
                logger.LogDebug("multipath route for {Network} refused ({Error}); using {Member}", network, ex.Message, members[0]);
                await client.AddRouteAsync(Spec(network, indexes.Take(1).ToList()), replace: true, ct);
            }
            _applied[network] = key;
        }
    }

    private static RouteSpec Spec(IpPrefix network, List<int> indexes) => new()
    {
        Destination = network.Address,
        PrefixLength = network.PrefixLength,
        Scope = RouteScope.Link,
        Protocol = RouteProtocol.Static,
        OutputInterface = indexes.Count == 1 ? indexes[0] : 0,
        NextHops = indexes.Count == 1 ? null : indexes.Select(i => new RouteNextHop(i, null)).ToList(),
    };

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
