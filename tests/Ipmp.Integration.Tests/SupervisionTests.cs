using System.Diagnostics;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>Crash-only: a failure in any of the daemon's activities ends the process non-zero at once (systemd
/// restarts it), never a zombie whose control socket answers while no address moves any more.</summary>
public sealed class SupervisionTests
{
    [Theory]
    [InlineData("engine")]
    [InlineData("monitor")]
    [InlineData("executor")]
    [InlineData("worker")]
    public void A_fault_in_any_activity_ends_the_process_non_zero_within_a_second(string component)
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 1000);
        lab.StartDaemon(environment: new Dictionary<string, string> { ["IPMP_TEST_FAULT"] = component });
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(3), ".50 on net0", lab.Describe);

        var sw = Stopwatch.StartNew();
        lab.PullCable("net0");
        var code = lab.WaitForDaemonExit(TimeSpan.FromSeconds(5));
        var took = sw.Elapsed;
        Assert.True(code is not null, $"the daemon kept running after an injected fault in the {component}:\n{lab.Log}");
        Assert.NotEqual(0, code);
        Assert.Contains($"injected fault in {component}", lab.Log);
        Assert.Contains("crit", lab.Log);
        // Within a second of the fault (the cable pull reaches the daemon in microseconds); 2 s allows a busy CI.
        Assert.True(took < TimeSpan.FromSeconds(2), $"exited {took.TotalMilliseconds:F0} ms after the fault");
    }

    [Fact]
    public void A_second_daemon_refuses_to_start_and_leaves_the_first_alone()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 1000);
        lab.StartDaemon();
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(3), ".50 on net0", lab.Describe);

        var second = Shell.RunProcess("ip", "netns", "exec", lab.HostNs, "dotnet", NamespaceLab.IpmpDll, "daemon",
            "--config-dir", lab.ConfigDir, "--socket", lab.SocketPath);
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("another instance", second.Output);
        Assert.True(lab.DaemonRunning);
        lab.PullCable("net0");
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), "the first daemon still fails over", lab.Describe);
    }
}
