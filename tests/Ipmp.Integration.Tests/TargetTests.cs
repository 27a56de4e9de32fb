using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>Probe targets found without configuration: hosts answering multicast echo when there is no
/// router, and a dead target replaced without failing any interface.</summary>
public sealed class TargetTests : IDisposable
{
    private readonly NamespaceLab _lab = new(router: false);

    [Fact]
    public async Task Without_routes_hosts_answering_multicast_echo_become_targets_and_detect_a_dead_port()
    {
        var h0 = _lab.AddHost("192.168.10.2/24");
        var h1 = _lab.AddHost("192.168.10.3/24");
        _lab.WriteStandardConfig(fdtMs: 700);
        _lab.StartDaemon();
        var (c0, c1) = (HostCounters.EchoRequestsReceived(h0), HostCounters.EchoRequestsReceived(h1));
        // Both hosts are probed (unicast probes add up far beyond the one multicast probe).
        Eventually.Until(() => HostCounters.EchoRequestsReceived(h0) > c0 + 10 && HostCounters.EchoRequestsReceived(h1) > c1 + 10,
            TimeSpan.FromSeconds(4), "probes reaching both discovered hosts", _lab.Describe);

        await ProbeWatch.UntilAnsweredAsync(_lab, "net1");
        _lab.KillPort("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net2", TimeSpan.FromSeconds(4), "failover by probes to host targets", _lab.Describe);
    }

    [Fact]
    public void A_dead_target_is_replaced_and_no_interface_fails()
    {
        var h0 = _lab.AddHost("192.168.10.2/24");
        _lab.AddHost("192.168.10.3/24");
        _lab.AddHost("192.168.10.4/24");
        _lab.WriteStandardConfig(fdtMs: 500);
        _lab.StartDaemon();
        Eventually.Until(() => HostCounters.EchoRequestsReceived(h0) > 10, TimeSpan.FromSeconds(4), "probes reaching h0", _lab.Describe);
        var h3 = _lab.AddHost("192.168.10.5/24");   // a spare that will answer the rediscovery
        var before = HostCounters.EchoRequestsReceived(h3);

        Shell.Ip("-n", h0, "link", "set", "e0", "down");
        // The new host is found and probed; nothing fails over.
        Eventually.Until(() => HostCounters.EchoRequestsReceived(h3) > before + 10, TimeSpan.FromSeconds(6),
            "the replacement target being probed", _lab.Describe);
        Assert.DoesNotContain("IP interface failure detected", _lab.Log);
        Assert.Equal("net0", _lab.Holder("192.168.10.50"));
        Assert.Equal("net1", _lab.Holder("192.168.10.51"));
    }

    public void Dispose() => _lab.Dispose();
}
