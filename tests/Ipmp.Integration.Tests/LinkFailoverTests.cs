using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>The real daemon in a namespace lab: a pulled cable is failed over at once and repaired by
/// probes; what the kernel and the client see is asserted, not the daemon's word.</summary>
public sealed class LinkFailoverTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly NamespaceLab _lab = new();

    [Fact]
    public void Cable_pull_moves_the_address_to_the_standby_and_repair_brings_it_home()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0" && _lab.Holder("192.168.10.51") == "net1",
            TimeSpan.FromSeconds(5), "data addresses on their home NICs", _lab.Describe);
        // Test addresses are deprecated (never a source for applications).
        var addr = Shell.Ip("-n", _lab.HostNs, "addr", "show", "dev", "net0");
        Assert.Matches(@"192\.168\.10\.10/24 .*deprecated", addr.Replace("\n", " "));
        // The client talks to .50, so it has a neighbour entry for it that must follow the move.
        Shell.Run("ip", "netns", "exec", _lab.ClientNs, "bash", "-c", "echo > /dev/udp/192.168.10.50/9");
        Eventually.Until(() => _lab.ClientNeighbour("192.168.10.50") == _lab.Mac("net0"), TimeSpan.FromSeconds(3), "client ARP entry for .50");

        _lab.PullCable("net0");
        var moved = Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);
        Assert.True(moved < TimeSpan.FromMilliseconds(500), $"failover took {moved.TotalMilliseconds} ms");
        Eventually.Until(() => _lab.ClientNeighbour("192.168.10.50") == _lab.Mac("net2"), TimeSpan.FromSeconds(2),
            "the client's ARP cache to follow the gratuitous ARP", _lab.Describe);
        Assert.Equal("net1", _lab.Holder("192.168.10.51"));
        Eventually.Until(() => _lab.Log.Contains("IP interface failure detected on net0 of group ipmp0"), TimeSpan.FromSeconds(2), "the log to say " + "IP interface failure detected on net0 of group ipmp0", _lab.Describe);

        _lab.PlugCable("net0");
        var repaired = Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(3), ".50 back on net0", _lab.Describe);
        Assert.True(repaired < TimeSpan.FromSeconds(2), $"repair took {repaired.TotalMilliseconds} ms, more than 2 x FDT");
        Eventually.Until(() => _lab.ClientNeighbour("192.168.10.50") == _lab.Mac("net0"), TimeSpan.FromSeconds(2), "the client's ARP cache back on net0");
        Assert.Equal(["net0"], _lab.Holders("192.168.10.50"));
    }

    [Fact]
    public async Task Dead_switch_port_is_found_by_probes_within_fdt_and_repaired_within_two_fdt()
    {
        const int fdt = 1000;
        _lab.WriteStandardConfig(fdtMs: fdt);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(5), ".51 on net1", _lab.Describe);
        // The quiet period ends at the first answered probe.
        await ProbeWatch.UntilAnsweredAsync(_lab, "net0", "net1", "net2");

        // Timed from the kernel's own report of the address move (ip -ts monitor), not from this test's polls,
        // each of which spawns `ip` (20-40 ms at a load average of 7); both figures go to the test's output.
        using var watch = AddressWatch.Start(_lab);
        _lab.KillPort("net1");
        var killed = DateTime.UtcNow;   // the port is dead once `bridge` has returned
        var polled = Eventually.Until(() => _lab.Holder("192.168.10.51") == "net2", TimeSpan.FromMilliseconds(fdt * 3),
            ".51 on the standby", _lab.Describe);
        var detected = Eventually.Value(() => watch.FirstAddedAt("192.168.10.51", "net2"), TimeSpan.FromSeconds(2), "ip monitor's line") - killed;
        output.WriteLine($"detection: {detected.TotalMilliseconds:F0} ms by the kernel's stamp, {polled.TotalMilliseconds:F0} ms polled");
        if (detected > TimeSpan.FromMilliseconds(fdt * 1.1))
            Assert.Fail($"detection + failover took {detected.TotalMilliseconds:F0} ms by the kernel's stamp ({polled.TotalMilliseconds:F0} ms polled; FDT {fdt} ms)\n{_lab.Describe()}");
        Eventually.Until(() => _lab.Log.Contains("IP interface failure detected on net1 of group ipmp0"), TimeSpan.FromSeconds(2), "the log to say " + "IP interface failure detected on net1 of group ipmp0", _lab.Describe);
        Assert.DoesNotContain("The link has gone down on net1", _lab.Log);

        _lab.RepairPort("net1");
        var mended = DateTime.UtcNow;
        polled = Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromMilliseconds(fdt * 4),
            ".51 back on net1", _lab.Describe);
        var repaired = Eventually.Value(() => watch.FirstAddedAt("192.168.10.51", "net1"), TimeSpan.FromSeconds(2), "ip monitor's line") - mended;
        output.WriteLine($"repair: {repaired.TotalMilliseconds:F0} ms by the kernel's stamp, {polled.TotalMilliseconds:F0} ms polled");
        if (repaired > TimeSpan.FromMilliseconds(fdt * 2))
            Assert.Fail($"repair took {repaired.TotalMilliseconds:F0} ms by the kernel's stamp ({polled.TotalMilliseconds:F0} ms polled; 2 x FDT = {2 * fdt} ms)\n{_lab.Describe()}");
    }

    public void Dispose() => _lab.Dispose();
}
