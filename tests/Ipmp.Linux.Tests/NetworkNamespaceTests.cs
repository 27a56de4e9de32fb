using System.Net.Sockets;
using Ipmp.Linux.Namespaces;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

/// <summary>What does and does not follow a setns() thread (the caveats in NetworkNamespace's docs).</summary>
public sealed class NetworkNamespaceTests : IDisposable
{
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task Sockets_made_on_the_thread_stay_in_the_namespace_after_it_ends()
    {
        RtNetlinkClient client;
        using (var ns = NetworkNamespace.Open(_lab.Host))
            client = ns.Run(() => RtNetlinkClient.Create());
        using (client)
        {
            // Used from the test thread (root namespace), after the namespace thread has exited.
            var names = (await client.GetLinksAsync()).Select(l => l.Name).ToHashSet();
            Assert.Superset(new HashSet<string> { "lo", "h0", "h1" }, names);
            Assert.DoesNotContain("eth0", names);
        }
    }

    [Fact]
    public void Proc_sys_net_and_child_processes_follow_the_thread_but_proc_self_net_does_not()
    {
        const string h0Conf = "/proc/sys/net/ipv4/conf/h0";
        Assert.False(Directory.Exists(h0Conf)); // the test process's own namespace has no h0
        Assert.True(_lab.HostNs.Run(() => Directory.Exists(h0Conf)));
        Assert.True(_lab.HostNs.Run(() => HasDevice("/proc/thread-self/net/dev", "h0")));
        // /proc/self/net (and /proc/net) is the thread-group leader's namespace, not this thread's.
        Assert.False(_lab.HostNs.Run(() => HasDevice("/proc/self/net/dev", "h0")));
        // A child process forked from the thread lists the namespace's links ("h0@...", not root's eth0).
        Assert.Contains(_lab.HostNs.Run(() => Ip.Run("-br", "link", "show")).Split('\n'), l => l.StartsWith("h0@", StringComparison.Ordinal));
    }

    private static bool HasDevice(string procNetDev, string name) =>
        File.ReadLines(procNetDev).Any(l => l.TrimStart().StartsWith(name + ":", StringComparison.Ordinal));

    [Fact]
    public void Raw_sockets_bind_to_interfaces_of_the_namespace_only()
    {
        var index = int.Parse(_lab.InHost("-o", "link", "show", "h1").Split(':')[0]);
        using var s = _lab.HostNs.Run(() =>
        {
            var sock = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
            sock.Bind(new System.Net.IPEndPoint(NetLab.H1V4, 0)); // only assigned inside the namespace
            return sock;
        });
        Assert.Equal(NetLab.H1V4, ((System.Net.IPEndPoint)s.LocalEndPoint!).Address);
        Assert.True(index > 0);
        Assert.ThrowsAny<IOException>(() => NetworkNamespace.Open("ipmpt-does-not-exist"));
    }
}
