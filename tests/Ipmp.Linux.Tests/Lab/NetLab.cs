using System.Collections.Concurrent;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Linux.Tests.Lab;

/// <summary>
/// Two fresh network namespaces: "host" (the IPMP side, NICs h0 and h1, 10.77.0.10 and .11/24) and
/// "peer" (a switch: bridge br0 with ports p0, p1, and the on-link router/target 10.77.0.1/24,
/// 2001:db8:77::1/64). DAD is off in both so link-locals are usable at once; ARP flux is off on the host.
/// Nothing touches the root namespace. Dispose removes the veths and namespaces on every path; a process
/// exit hook covers an aborted run.
/// </summary>
public sealed class NetLab : IDisposable
{
    private static readonly ConcurrentDictionary<string, byte> Live = new();

    static NetLab()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var ns in Live.Keys) Destroy(ns);
        };
    }

    private NetworkNamespace? _hostNs;
    private NetworkNamespace? _peerNs;
    private bool _disposed;

    public string Prefix { get; }
    public string Host => Prefix + "host";
    public string Peer => Prefix + "peer";

    public static readonly System.Net.IPAddress PeerV4 = System.Net.IPAddress.Parse("10.77.0.1");
    public static readonly System.Net.IPAddress PeerV6 = System.Net.IPAddress.Parse("2001:db8:77::1");
    public static readonly System.Net.IPAddress H0V4 = System.Net.IPAddress.Parse("10.77.0.10");
    public static readonly System.Net.IPAddress H1V4 = System.Net.IPAddress.Parse("10.77.0.11");

    public NetLab()
    {
        Prefix = $"ipmpt-{Guid.NewGuid().ToString("N")[..8]}-";
        try
        {
            Setup();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Setup()
    {
        foreach (var ns in new[] { Host, Peer })
        {
            Live[ns] = 0;
            Ip.Run("netns", "add", ns);
            Ip.Run("netns", "exec", ns, "sysctl", "-q", "-w",
                "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
        }
        Ip.Run("-n", Host, "link", "add", "name", "h0", "type", "veth", "peer", "name", "p0", "netns", Peer);
        Ip.Run("-n", Host, "link", "add", "name", "h1", "type", "veth", "peer", "name", "p1", "netns", Peer);
        Batch(Peer,
            "link add name br0 type bridge",
            "link set p0 master br0",
            "link set p1 master br0",
            "link set lo up",
            "link set br0 up",
            "link set p0 up",
            "link set p1 up",
            "addr add 10.77.0.1/24 dev br0",
            "addr add 2001:db8:77::1/64 dev br0 nodad");
        Batch(Host,
            "link set lo up",
            "link set h0 up",
            "link set h1 up",
            "addr add 10.77.0.10/24 dev h0",
            "addr add 10.77.0.11/24 dev h1");
    }

    /// <summary>Runs several ip commands in one process, inside <paramref name="ns"/>.</summary>
    public static void Batch(string ns, params string[] commands)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, commands);
            Ip.Run("-n", ns, "-batch", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public string InHost(params string[] args) => Ip.Run(["-n", Host, .. args]);
    public string InPeer(params string[] args) => Ip.Run(["-n", Peer, .. args]);

    /// <summary>A thread inside the host namespace (opened on first use).</summary>
    public NetworkNamespace HostNs => _hostNs ??= NetworkNamespace.Open(Host);
    public NetworkNamespace PeerNs => _peerNs ??= NetworkNamespace.Open(Peer);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _hostNs?.Dispose();
        _peerNs?.Dispose();
        // The veths die with their namespace, but delete them explicitly so nothing outlives a failed netns del.
        Ip.TryRun("-n", Host, "link", "del", "h0");
        Ip.TryRun("-n", Host, "link", "del", "h1");
        Ip.TryRun("-n", Peer, "link", "del", "br0");
        Destroy(Host);
        Destroy(Peer);
    }

    private static void Destroy(string ns)
    {
        if (File.Exists($"{NetworkNamespace.RunDirectory}/{ns}")) Ip.TryRun("netns", "del", ns);
        Live.TryRemove(ns, out _);
    }
}
