using System.Diagnostics;
using System.Text.RegularExpressions;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>The real daemon in a namespace lab: who may be a member (a unique MAC; no loopback, no NOARP
/// link), and an online NIC whose switch port is dead gets no quiet period. Asserted on what the kernel
/// shows (`ip addr`, `ip route`) and on ipmpstat through the real CLI.</summary>
public sealed class MembershipTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly NamespaceLab _lab = new();

    private (int Exit, string Out, string Err) Cli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(NamespaceLab.IpmpDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(20_000), "the CLI hung");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private string StatI() => Cli("stat", "-i", "--socket", _lab.SocketPath).Out;

    private static string Row(string output, string first) =>
        output.Split('\n').FirstOrDefault(l => l.StartsWith(first + " ", StringComparison.Ordinal)) ?? "";

    private void SetMac(string nic, string mac) => Shell.Ip("-n", _lab.HostNs, "link", "set", nic, "address", mac);

    private string Describe() => $"--- ipmpstat -i ---\n{StatI()}{_lab.Describe()}";

    /// <summary>The group's routes (multipath on-link and default routes), without the per-member fallback
    /// routes at metric 1024 + ifindex that the route keeper adds for every configured member.</summary>
    private string GroupRoutes() => string.Join("\n", Shell.Ip("-n", _lab.HostNs, "route").Split('\n')
        .Aggregate(new List<string>(), (routes, line) =>
        {
            if (line.StartsWith('\t') && routes.Count > 0) routes[^1] += " " + line.Trim();
            else if (line.Length > 0) routes.Add(line);
            return routes;
        })
        .Where(r => !Regex.IsMatch(r, @" metric 10[2-9][0-9]\b")));

    [Fact]
    public void Two_members_with_one_mac_the_later_goes_offline_with_h_and_comes_back_when_its_mac_changes()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(5), ".51 on net1", _lab.Describe);
        var own = _lab.Mac("net1");

        SetMac("net1", _lab.Mac("net0"));
        Eventually.Until(() => Regex.IsMatch(Row(StatI(), "net1"), @"^net1 +no +ipmp0 +------h +\S+ +\S+ +offline$"),
            TimeSpan.FromSeconds(3), "net1 offline with the h flag in ipmpstat -i", Describe);
        Eventually.Until(() => _lab.Log.Contains("IP interface net1 has a hardware address which is not unique in group ipmp0; offlining"), TimeSpan.FromSeconds(2), "the log to say " + "IP interface net1 has a hardware address which is not unique in group ipmp0; offlining", _lab.Describe);
        Assert.Matches(@"^net0 +yes +ipmp0 +[^h ]{7} +up +ok +ok$", Row(StatI(), "net0"));
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net2", TimeSpan.FromSeconds(2), ".51 on the standby", _lab.Describe);
        Assert.Equal("net0", _lab.Holder("192.168.10.50"));
        var online = Cli("online", "net1", "--socket", _lab.SocketPath);
        Assert.NotEqual(0, online.Exit);
        Assert.Contains("interface has duplicate hardware address", online.Err);

        SetMac("net1", own);
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 back on net1", Describe);
        Eventually.Until(() => _lab.Log.Contains("IP interface net1 now has a unique hardware address in group ipmp0; onlining"), TimeSpan.FromSeconds(2), "the log to say " + "IP interface net1 now has a unique hardware address in group ipmp0; onlining", _lab.Describe);
        Eventually.Until(() => Regex.IsMatch(Row(StatI(), "net1"), @"^net1 +yes +ipmp0 +\S{6}- +up +\S+ +ok$"),
            TimeSpan.FromSeconds(3), "net1 ok without the h flag", Describe);
    }

    [Fact]
    public async Task Online_of_a_nic_whose_switch_port_is_dead_moves_its_addresses_away_within_the_fdt()
    {
        const int fdt = 1000;
        _lab.WriteStandardConfig(fdtMs: fdt);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(5), ".50 on net0", _lab.Describe);
        await ProbeWatch.UntilAnsweredAsync(_lab, "net0", "net1", "net2");
        Assert.Equal(0, Cli("offline", "net0", "--socket", _lab.SocketPath).Exit);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);
        _lab.KillPort("net0");

        Assert.Equal(0, Cli("online", "net0", "--socket", _lab.SocketPath).Exit);
        // Online takes the address back at once, as illumos; the clock starts when the kernel shows it.
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(2), ".50 back on net0 after online", _lab.Describe);
        var left = Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromMilliseconds(fdt * 3),
            ".50 to leave net0 again", _lab.Describe);
        output.WriteLine($".50 left net0 {left.TotalMilliseconds:F0} ms after online brought it back (FDT {fdt} ms)");
        Assert.True(left <= TimeSpan.FromMilliseconds(fdt * 1.1), $".50 left net0 {left.TotalMilliseconds:F0} ms after coming back (FDT {fdt} ms)");
        // Logged after the move's kernel work (the loop's observers come last), and written by the logger's thread.
        Eventually.Until(() => _lab.Log.Contains("IP interface failure detected on net0 of group ipmp0"), TimeSpan.FromSeconds(2),
            "the failure logged", _lab.Describe);
    }

    [Fact]
    public void Hostname_lo_in_a_group_is_refused_and_lo_never_holds_a_data_address()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        File.WriteAllText(Path.Combine(_lab.ConfigDir, "hostname.lo"), "192.168.10.59/24 group ipmp0 up\n");
        const string reason = "lo is the loopback interface, which cannot be in an IPMP group (group 'ipmp0')";

        var check = Cli("check-config", "--config-dir", _lab.ConfigDir);
        Assert.NotEqual(0, check.Exit);
        Assert.Contains($"hostname.lo:1: {reason}", check.Out + check.Err);

        // The daemon does not start on it...
        _lab.StartDaemon(waitReady: false);
        // Waits for the exit and for its output to be drained into the log (HasExited alone does not).
        Assert.True(_lab.WaitForDaemonExit(TimeSpan.FromSeconds(20)) is not null, "the daemon to refuse the configuration");
        Assert.Contains(reason, _lab.Log);
        Assert.DoesNotContain("192.168.10.59/24", _lab.Addresses()["lo"]);
        _lab.StopDaemon();

        // ...and a running daemon keeps its last good configuration when one appears on reload.
        File.Delete(Path.Combine(_lab.ConfigDir, "hostname.lo"));
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(5), ".50 on net0", _lab.Describe);
        File.WriteAllText(Path.Combine(_lab.ConfigDir, "hostname.lo"), "192.168.10.59/24 group ipmp0 up\n");
        _lab.Signal("HUP");
        Eventually.Until(() => _lab.Log.Contains("keeping the last good configuration"), TimeSpan.FromSeconds(5), "the reload to be refused", _lab.Describe);
        Eventually.Holds(() => !_lab.Addresses()["lo"].Contains("192.168.10.59/24") && _lab.Holders("192.168.10.59").Count == 0,
            TimeSpan.FromSeconds(1), "lo never holds .59", _lab.Describe);
        Assert.DoesNotContain(StatI().Split('\n'), l => l.StartsWith("lo ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_member_turned_noarp_leaves_the_group_its_routes_and_its_addresses_and_comes_back_with_arp()
    {
        // (Its fallback route at metric 1024 + ifindex stays: the route keeper takes those from the
        // configuration's member list, not from the engine.)
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(5), ".51 on net1", _lab.Describe);
        Eventually.Until(() => GroupRoutes().Contains("dev net1"), TimeSpan.FromSeconds(3),
            "net1 a next hop of the group's routes", _lab.Describe);

        Shell.Ip("-n", _lab.HostNs, "link", "set", "net1", "arp", "off");
        Eventually.Until(() => _lab.Holder("192.168.10.51") is { } h && h != "net1", TimeSpan.FromSeconds(3), ".51 off net1", Describe);
        Eventually.Until(() => _lab.Log.Contains("IP interface net1 cannot be in group ipmp0: it does not use ARP/ND (NOARP)"), TimeSpan.FromSeconds(2), "the log to say " + "IP interface net1 cannot be in group ipmp0: it does not use ARP/ND (NOARP)", _lab.Describe);
        Eventually.Until(() => !GroupRoutes().Contains("dev net1"), TimeSpan.FromSeconds(3),
            "net1 out of the group's routes", () => GroupRoutes() + "\n" + Describe());
        Assert.Equal("", Row(StatI(), "net1"));
        Eventually.Holds(() => !_lab.Holders("192.168.10.51").Contains("net1") && !_lab.Holders("192.168.10.50").Contains("net1"),
            TimeSpan.FromSeconds(1), "net1 holds no data address", _lab.Describe);

        Shell.Ip("-n", _lab.HostNs, "link", "set", "net1", "arp", "on");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 back on net1", Describe);
    }

    public void Dispose() => _lab.Dispose();
}
