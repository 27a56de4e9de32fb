using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>Outbound traffic: spread over the active members only, never sourced from a test address.</summary>
public sealed class RoutingTests : IDisposable
{
    private readonly NamespaceLab _lab = new();

    private string RouteGet(string destination) => Shell.Ip("-n", _lab.HostNs, "route", "get", destination);

    [Fact]
    public void Test_addresses_are_never_the_source_and_routes_follow_the_active_members()
    {
        _lab.WriteStandardConfig(fdtMs: 500);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.OutboundNics().SequenceEqual(["net0", "net1"]), TimeSpan.FromSeconds(3), "subnet route over net0 net1", _lab.Describe);
        // `ip route get` only asks the kernel; nothing is sent (198.51.100.0/24 is a documentation range).
        Eventually.Until(() => RouteGet("192.168.10.100").Contains("src 192.168.10.5"), TimeSpan.FromSeconds(2),
            "a data address as source on the link", () => RouteGet("192.168.10.100") + _lab.Describe());
        Eventually.Until(() => RouteGet("198.51.100.7").Contains("src 192.168.10.5"), TimeSpan.FromSeconds(2),
            "a data address as source through the router", () => RouteGet("198.51.100.7") + _lab.Describe());
        var defaults = Shell.Ip("-n", _lab.HostNs, "route", "show", "default");
        Assert.Contains("dev net0", defaults);
        Assert.Contains("dev net1", defaults);
        Assert.DoesNotContain("dev net2", defaults);

        _lab.PullCable("net0");
        Eventually.Until(() => _lab.OutboundNics().SequenceEqual(["net1", "net2"]), TimeSpan.FromSeconds(2), "subnet route over net1 net2", _lab.Describe);
        Eventually.Until(() => !Shell.Ip("-n", _lab.HostNs, "route", "show", "default").Contains("dev net0"), TimeSpan.FromSeconds(2),
            "the default route off the failed NIC", _lab.Describe);
        Assert.Contains("src 192.168.10.5", RouteGet("192.168.10.100"));
        Assert.DoesNotContain("dev net0", RouteGet("198.51.100.7"));
    }

    public void Dispose() => _lab.Dispose();
}
