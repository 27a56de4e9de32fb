using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

public sealed class StandbyAndFailbackTests : IDisposable
{
    private readonly NamespaceLab _lab = new();

    [Fact]
    public void Standby_carries_traffic_only_while_it_stands_in()
    {
        _lab.WriteStandardConfig(fdtMs: 400);
        _lab.StartDaemon();
        // Outbound traffic goes over the active members only: the standby is INACTIVE.
        Eventually.Until(() => _lab.OutboundNics().SequenceEqual(["net0", "net1"]), TimeSpan.FromSeconds(3), "outbound over net0 net1", _lab.Describe);

        _lab.PullCable("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net2", TimeSpan.FromSeconds(2), ".51 on net2", _lab.Describe);
        Eventually.Until(() => _lab.OutboundNics().SequenceEqual(["net0", "net2"]), TimeSpan.FromSeconds(2), "outbound over net0 net2", _lab.Describe);

        _lab.PlugCable("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 home", _lab.Describe);
        Eventually.Until(() => _lab.OutboundNics().SequenceEqual(["net0", "net1"]), TimeSpan.FromSeconds(2), "standby inactive again", _lab.Describe);
        Assert.DoesNotContain(_lab.Addresses()["net2"], a => a.StartsWith("192.168.10.5"));
    }

    [Fact]
    public void Failback_no_leaves_the_address_on_the_standby_after_repair()
    {
        _lab.WriteStandardConfig(fdtMs: 400, failback: false);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(3), ".50 on net0", _lab.Describe);
        _lab.PullCable("net0");
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on net2", _lab.Describe);
        _lab.PlugCable("net0");
        Eventually.Until(() => _lab.Log.Contains("IP interface repair detected on net0"), TimeSpan.FromSeconds(3), "repair", _lab.Describe);
        // Stays put for well over the repair time, and net0 stays out of the outbound set (INACTIVE).
        Eventually.Holds(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(1.5), ".50 stays on net2", _lab.Describe);
        Assert.Equal(["net1", "net2"], _lab.OutboundNics());
    }

    [Fact]
    public void Group_failure_moves_nothing_and_loses_nothing()
    {
        _lab.WriteStandardConfig(fdtMs: 400);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 on net1", _lab.Describe);
        foreach (var nic in _lab.Nics) _lab.PullCable(nic);
        Eventually.Until(() => _lab.Log.Contains("All IP interfaces in group ipmp0 are now unusable"), TimeSpan.FromSeconds(2), "group failure", _lab.Describe);
        // The moves decided before the group failed may still be reaching the kernel (add, then remove).
        Eventually.Until(() => _lab.Holders("192.168.10.50").Count == 1 && _lab.Holders("192.168.10.51").Count == 1,
            TimeSpan.FromSeconds(2), "the last moves applied", _lab.Describe);
        Eventually.Holds(() => _lab.Holders("192.168.10.50").Count == 1 && _lab.Holders("192.168.10.51").Count == 1,
            TimeSpan.FromSeconds(1), "each address on exactly one NIC", _lab.Describe);

        _lab.PlugCable("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net1" && _lab.Holder("192.168.10.51") == "net1",
            TimeSpan.FromSeconds(3), "both addresses on the first NIC back", _lab.Describe);
        Eventually.Until(() => _lab.Log.Contains("At least 1 IP interface (net1) in group ipmp0 is now usable"), TimeSpan.FromSeconds(2), "the log to say " + "At least 1 IP interface (net1) in group ipmp0 is now usable", _lab.Describe);
    }

    public void Dispose() => _lab.Dispose();
}
