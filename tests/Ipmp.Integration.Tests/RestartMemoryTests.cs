using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;
using Ipmp.Host.State;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;
using Ipmp.Linux.Netlink;
using Xunit.Abstractions;

namespace Ipmp.Integration.Tests;

/// <summary>
/// kill -9 and restart with a member failed by probes (its switch port dead, carrier up) or offlined: the
/// restarted daemon reads its state file and never puts an address back on that member — not for a moment
/// (every kernel address change is watched), and without waiting out the 40 s quiet period.
/// </summary>
public sealed class RestartMemoryTests(ITestOutputHelper output) : IDisposable
{
    private const int Fdt = 500;

    /// <summary>Kill/restart trials per test run; IPMP_RESTART_TRIALS=50 for the long run by hand.</summary>
    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("IPMP_RESTART_TRIALS"), out var n) && n > 0 ? n : 3;

    /// <summary>How long each restarted daemon is watched after it is ready.</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(2);

    private readonly NamespaceLab _lab = new();

    private string StatePath => StateFile.DefaultPath(_lab.SocketPath);

    private RememberedInterface? Remembered(string nic) =>
        StateFile.Read(StatePath, StateFile.CurrentBootId(), StateFile.MonotonicMs()).State?.Interfaces.FirstOrDefault(i => i.Name == nic);

    private InterfaceStatus Status(string nic) =>
        new ControlClient(_lab.SocketPath).SnapshotAsync().GetAwaiter().GetResult().Interfaces.Single(i => i.Name == nic);

    private int Count(string text)
    {
        var log = _lab.Log;
        var n = 0;
        for (var i = log.IndexOf(text, StringComparison.Ordinal); i >= 0; i = log.IndexOf(text, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }

    /// <summary>
    /// Starts the daemon again and watches the kernel from before the start until <see cref="Watch"/> after
    /// it is ready: dumps the host's addresses over rtnetlink every couple of ms (asserting
    /// <paramref name="address"/> is never on <paramref name="nic"/>), and checks that `ip monitor` saw no
    /// add of it there either (an add and remove between two dumps). Returns the time to ready.
    /// </summary>
    private async Task<TimeSpan> RestartAndWatchAsync(string address, string nic)
    {
        var ip = IPAddress.Parse(address);
        var readyBefore = Count("ipmp daemon running");
        using var ns = _lab.OpenNamespace(_lab.HostNs);
        using var netlink = ns.Run(() => RtNetlinkClient.Create());
        var index = (await netlink.GetLinksAsync()).Single(l => l.Name == nic).Index;
        using var watch = AddressWatch.Start(_lab);
        var sw = Stopwatch.StartNew();
        _lab.StartDaemon(waitReady: false);
        TimeSpan? ready = null;
        var polls = 0;
        var longest = TimeSpan.Zero;
        var last = TimeSpan.Zero;
        while (ready is null || sw.Elapsed - ready < Watch)
        {
            var addresses = await netlink.GetAddressesAsync(AddressFamily.InterNetwork);
            polls++;
            var gap = sw.Elapsed - last;
            last = sw.Elapsed;
            if (polls > 1 && gap > longest) longest = gap;
            if (addresses.Any(a => a.InterfaceIndex == index && a.Address.Equals(ip)))
                Assert.Fail($"{address} on {nic} {sw.Elapsed.TotalMilliseconds:F0} ms after the restart\n{_lab.Describe()}");
            if (polls % 16 == 0)
            {
                if (ready is null && Count("ipmp daemon running") > readyBefore) ready = sw.Elapsed;
                if (!_lab.DaemonRunning) Assert.Fail($"the daemon exited\n{_lab.Log}");
                if (sw.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the daemon did not get ready\n{_lab.Describe()}");
            }
            await Task.Delay(1);
        }
        Assert.Empty(watch.Added(address, nic));
        output.WriteLine($"restart: ready after {ready.Value.TotalMilliseconds:F0} ms; {polls} address dumps over {sw.Elapsed.TotalMilliseconds:F0} ms "
            + $"(longest gap {longest.TotalMilliseconds:F1} ms); {watch.Lines.Count} address events seen by ip monitor");
        return ready.Value;
    }

    [Fact]
    public async Task A_member_failed_by_probes_stays_failed_across_kill_9_and_its_address_never_returns()
    {
        _lab.WriteStandardConfig(fdtMs: Fdt);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(5), ".51 on net1", _lab.Describe);
        await ProbeWatch.UntilAnsweredAsync(_lab, "net0", "net1", "net2");   // the quiet period is over

        _lab.KillPort("net1");   // carrier stays up: only probes can tell
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net2", TimeSpan.FromMilliseconds(Fdt * 4), ".51 on the standby", _lab.Describe);
        Eventually.Until(() => Remembered("net1")?.Failed == FailureCause.Probe, TimeSpan.FromSeconds(2), "net1 failed in the state file", _lab.Describe);

        for (var trial = 1; trial <= Trials; trial++)
        {
            _lab.StopDaemon(kill: true);
            Assert.Equal("net2", _lab.Holder("192.168.10.51"));
            var restored = Count("restored from before the restart");
            await RestartAndWatchAsync("192.168.10.51", "net1");
            Assert.Equal(restored + 1, Count("restored from before the restart"));
            var net1 = Status("net1");
            Assert.Equal(InterfaceState.Failed, net1.State);
            Assert.False(net1.IsActive);
            Assert.Equal("net2", _lab.Holder("192.168.10.51"));
            Assert.Equal(FailureCause.Probe, Remembered("net1")?.Failed);
            output.WriteLine($"trial {trial}: ok");
        }

        // Repaired by probes as usual (10 answers), after the restarts too.
        _lab.RepairPort("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromMilliseconds(Fdt * 6), ".51 back on net1", _lab.Describe);
        Eventually.Until(() => Remembered("net1") is { Failed: null }, TimeSpan.FromSeconds(2), "net1 ok in the state file", _lab.Describe);
        Assert.DoesNotContain("cannot write the state file", _lab.Log);
        Assert.DoesNotContain($"state file {StatePath} ignored", _lab.Log);
    }

    [Fact]
    public async Task An_offlined_member_stays_offline_across_kill_9()
    {
        _lab.WriteStandardConfig(fdtMs: Fdt);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(5), ".50 on net0", _lab.Describe);
        var client = new ControlClient(_lab.SocketPath);
        Assert.True((await client.OfflineAsync("net0")).Ok);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);
        Eventually.Until(() => Remembered("net0")?.Offline == true, TimeSpan.FromSeconds(2), "net0 offline in the state file", _lab.Describe);

        for (var trial = 1; trial <= Trials; trial++)
        {
            _lab.StopDaemon(kill: true);
            await RestartAndWatchAsync("192.168.10.50", "net0");
            var r = Shell.RunProcess("dotnet", NamespaceLab.IpmpDll, "stat", "-i", "--socket", _lab.SocketPath);
            Assert.True(r.ExitCode == 0, $"ipmpstat -i: exit {r.ExitCode}: {r.Error}\n{Tail(_lab.Log)}");
            var stat = r.Stdout;
            Assert.Matches(@"(?m)^net0 +no +ipmp0 +\S+ +up +\S+ +offline$", stat);
            Assert.Equal(InterfaceState.Offline, Status("net0").State);
            Assert.Equal("net2", _lab.Holder("192.168.10.50"));
        }

        // Only `ipmp online` brings it back.
        Assert.True((await new ControlClient(_lab.SocketPath).OnlineAsync("net0")).Ok);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(2), ".50 back on net0", _lab.Describe);
        Eventually.Until(() => Remembered("net0") is { Offline: false }, TimeSpan.FromSeconds(2), "net0 online in the state file", _lab.Describe);
    }

    private static string Tail(string log) => log.Length > 6000 ? log[^6000..] : log;

    public void Dispose() => _lab.Dispose();
}
