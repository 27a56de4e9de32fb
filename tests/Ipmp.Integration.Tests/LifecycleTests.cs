using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>Missing NICs, restarts and reloads.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public void A_nic_missing_at_start_is_covered_by_the_standby_and_takes_its_address_when_it_appears()
    {
        using var lab = new NamespaceLab(absentNics: ["net0"]);
        lab.WriteStandardConfig(fdtMs: 500);
        lab.StartDaemon();
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(3), ".50 hosted by the standby", lab.Describe);

        lab.PlugNic("net0");
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(3), ".50 on the new NIC", lab.Describe);
        Assert.Contains("192.168.10.10/24", lab.Addresses()["net0"]);
        Eventually.Until(() => lab.OutboundNics().SequenceEqual(["net0", "net1"]), TimeSpan.FromSeconds(2), "standby inactive again", lab.Describe);

        lab.UnplugNic("net0");
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 failed over after the NIC vanished", lab.Describe);
    }

    [Fact]
    public void Kill_9_and_restart_converge_to_every_address_on_exactly_one_nic()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 500);
        lab.StartDaemon();
        lab.PullCable("net0");
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on net2", lab.Describe);
        lab.StopDaemon(kill: true);

        // As if killed in the middle of failing back: .50 on both NICs.
        lab.PlugCable("net0");
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.50/24", "dev", "net0", "noprefixroute");
        Assert.Equal(2, lab.Holders("192.168.10.50").Count);

        var started = System.Diagnostics.Stopwatch.StartNew();
        lab.StartDaemon(waitReady: false);
        Eventually.Until(() => lab.Holders("192.168.10.50").Count == 1 && lab.Holders("192.168.10.51").Count == 1,
            TimeSpan.FromSeconds(10), "each address on exactly one NIC", lab.Describe);
        var converged = started.Elapsed;
        Eventually.Holds(() => lab.Holders("192.168.10.50").Count == 1 && lab.Holders("192.168.10.51").Count == 1,
            TimeSpan.FromSeconds(1), "still exactly one", lab.Describe);
        // Start-up of the .NET process is included; the daemon's own work after its dump is milliseconds.
        Assert.True(converged < TimeSpan.FromSeconds(5), $"converged after {converged.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_daemon_started_under_nohup_still_reloads_on_sighup()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 500);
        // nohup starts it with SIGHUP ignored, which the .NET runtime would otherwise leave as it is.
        lab.StartDaemon(launcher: ["nohup"]);
        Assert.Contains("SIGHUP was ignored by whoever started the daemon", lab.Log);
        File.WriteAllText(Path.Combine(lab.ConfigDir, "hostname.net1"), "192.168.10.51/24 group ipmp0 up \\\naddif banana up\n");
        lab.Signal("HUP");
        Eventually.Until(() => lab.Log.Contains("keeping the last good configuration"), TimeSpan.FromSeconds(5), "the reload refusal", lab.Describe);
    }

    [Fact]
    public void Sighup_with_a_broken_file_keeps_the_running_configuration_and_a_good_one_is_applied()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 500);
        lab.StartDaemon();
        Eventually.Until(() => lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 on net1", lab.Describe);

        File.WriteAllText(Path.Combine(lab.ConfigDir, "hostname.net1"), "192.168.10.51/24 group ipmp0 up \\\naddif banana up\n");
        lab.Signal("HUP");
        Eventually.Until(() => lab.Log.Contains("keeping the last good configuration"), TimeSpan.FromSeconds(3), "the reload refusal", lab.Describe);
        Assert.Matches(@"hostname\.net1:\d+", lab.Log);
        Assert.Equal("net1", lab.Holder("192.168.10.51"));

        File.WriteAllText(Path.Combine(lab.ConfigDir, "hostname.net1"),
            "192.168.10.51/24 group ipmp0 up \\\naddif 192.168.10.52/24 up \\\naddif 192.168.10.11/24 deprecated -failover up\n");
        lab.Signal("HUP");
        Eventually.Until(() => lab.Holder("192.168.10.52") == "net1", TimeSpan.FromSeconds(3), "the new address", lab.Describe);
        Assert.True(lab.DaemonRunning);
    }
}
