using System.Diagnostics;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;
using Xunit.Abstractions;

namespace Ipmp.Integration.Tests;

/// <summary>
/// Outbound routes with IPv4 and IPv6 data addresses: both families spread over every active member (IPv6
/// through a nexthop group: the kernel refuses device-only IPv6 multipath routes), a failed member leaves
/// both, and at steady state the daemon writes no route at all, even when someone else's route change
/// makes it look again.
/// </summary>
public sealed class SteadyRoutesTests(ITestOutputHelper output) : IDisposable
{
    private const string V6Network = "2001:db8:10::/64";
    private readonly NamespaceLab _lab = new();

    [Fact]
    public void Both_families_spread_over_the_active_members_and_steady_state_writes_no_route()
    {
        _lab.WriteStandardConfig(fdtMs: 1000, v6: true);
        // An IPv6 default route through the router's link-local address, as router advertisements would give.
        Shell.Ip("-n", _lab.HostNs, "-6", "route", "add", "default", "via", "fe80::1", "dev", "net0");
        // Left by an earlier version of the daemon (metric 0; IPv6 without a metric): they would shadow the new routes.
        Shell.Ip("-n", _lab.HostNs, "route", "add", "192.168.10.0/24", "proto", "static", "scope", "link", "nexthop", "dev", "net0", "nexthop", "dev", "net1");
        Shell.Ip("-n", _lab.HostNs, "-6", "route", "add", V6Network, "dev", "net0", "proto", "static");
        _lab.StartDaemon();
        WaitForRoutes(["net0", "net1"], "routes over net0 net1");
        Eventually.Until(() => Shell.Ip("-n", _lab.HostNs, "route", "show", "192.168.10.0/24", "metric", "0") == ""
                && Shell.Ip("-n", _lab.HostNs, "-6", "route", "show", V6Network, "metric", "1024") == "",
            TimeSpan.FromSeconds(5), "the outdated routes removed", Describe);

        // Spreading happens: different flows leave through different members, in both families.
        Assert.Equal(["net0", "net1"], FlowDevices("192.168.10.100"));
        Assert.Equal(["net0", "net1"], FlowDevices("2001:db8:10::100"));

        // Settled: 10 s without a single route or nexthop change by the daemon. Halfway, an unrelated route
        // change of someone else makes the daemon re-read the table; it must find nothing to do.
        var changes = RouteChangesDuring(TimeSpan.FromSeconds(10),
            () => Shell.Ip("-n", _lab.HostNs, "route", "add", "blackhole", "203.0.113.0/24"));
        Assert.True(changes.Count == 0, $"route changes at steady state:\n{string.Join('\n', changes)}\n{Describe()}");

        _lab.PullCable("net0");
        WaitForRoutes(["net1", "net2"], "the failed net0 out of every route, the standby net2 in");

        _lab.PlugCable("net0");
        WaitForRoutes(["net0", "net1"], "net0 back in every route after the repair (the kernel dropped its nexthop with the carrier)");
        changes = RouteChangesDuring(TimeSpan.FromSeconds(4));
        Assert.True(changes.Count == 0, $"route changes after failback:\n{string.Join('\n', changes)}\n{Describe()}");
    }

    /// <summary>Waits until the on-link and default routes of both families go through exactly <paramref name="nics"/>.</summary>
    private void WaitForRoutes(string[] nics, string what)
    {
        Eventually.Until(() =>
                _lab.OutboundNics().SequenceEqual(nics)
                && _lab.OutboundNics(V6Network).SequenceEqual(nics)
                && _lab.RouteNics("-4", "default").SequenceEqual(nics)
                && _lab.RouteNics("-6", "default").SequenceEqual(nics),
            TimeSpan.FromSeconds(10), what, Describe);
    }

    /// <summary>The devices `ip route get` picks for 32 TCP flows to <paramref name="destination"/> (only the
    /// kernel is asked; nothing is sent).</summary>
    private List<string> FlowDevices(string destination) =>
        Enumerable.Range(40000, 32)
            .Select(port => Shell.Ip("-n", _lab.HostNs, "route", "get", destination, "ipproto", "tcp", "sport", port.ToString(), "dport", "80"))
            .Select(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "dev").Skip(1).First())
            .Distinct().Order().ToList();

    /// <summary>Route and nexthop notifications in the host namespace (`ip monitor`) during <paramref name="period"/>,
    /// except those of <paramref name="meanwhile"/>'s documentation-range route.</summary>
    private List<string> RouteChangesDuring(TimeSpan period, Action? meanwhile = null)
    {
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-n", _lab.HostNs, "-ts", "monitor", "route", "nexthop" }) psi.ArgumentList.Add(a);
        var lines = new List<string>();
        using var monitor = Process.Start(psi)!;
        try
        {
            monitor.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
            monitor.BeginOutputReadLine();
            Thread.Sleep(period / 2);
            meanwhile?.Invoke();
            Thread.Sleep(period / 2);
        }
        finally
        {
            monitor.Kill();
            monitor.WaitForExit();
        }
        lock (lines)
        {
            // One notification per "[timestamp]" line; next hops follow on indented lines.
            var changes = lines.Where(l => l.StartsWith('[') && !l.Contains("203.0.113.")).ToList();
            output.WriteLine($"{changes.Count} route/nexthop change(s) in {period.TotalSeconds:F0} s");
            return changes;
        }
    }

    private string Describe() =>
        $"ipv6 routes:\n{Shell.Ip("-n", _lab.HostNs, "-6", "route")}nexthops:\n{Shell.Ip("-n", _lab.HostNs, "nexthop")}{_lab.Describe()}";

    public void Dispose() => _lab.Dispose();
}
