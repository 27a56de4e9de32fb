using System.Diagnostics;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests;

/// <summary>What an operator sees with ipmpstat (the real CLI against the real daemon) after real
/// failures, and what an unprivileged user may and may not do.</summary>
public sealed class OperatorViewTests : IDisposable
{
    private readonly NamespaceLab _lab = new();

    private (int Exit, string Out, string Err) Cli(params string[] args) => CliAs(null, args);

    /// <summary>Another uid runs a copy of the CLI it can read: the build output may sit where only root may enter.</summary>
    private ReadableCopy? _readableCli;

    private (int Exit, string Out, string Err) CliAs(string? asUid, params string[] args)
    {
        var psi = new ProcessStartInfo(asUid is null ? "dotnet" : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUid is not null)
            foreach (var a in new[] { $"--reuid={asUid}", $"--regid={asUid}", "--clear-groups", "dotnet" }) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(asUid is null ? NamespaceLab.IpmpDll
            : (_readableCli ??= ReadableCopy.Of(Path.GetDirectoryName(NamespaceLab.IpmpDll))).PathOf("ipmp.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--socket");
        psi.ArgumentList.Add(_lab.SocketPath);
        psi.Environment["DOTNET_CLI_HOME"] = "/tmp";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(20_000), "the CLI hung");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Row(string output, string first) =>
        output.Split('\n').FirstOrDefault(l => l.StartsWith(first + " ", StringComparison.Ordinal)) ?? "";

    [Fact]
    public void Ipmpstat_shows_the_states_the_failures_caused()
    {
        _lab.WriteStandardConfig(fdtMs: 600, v6: true);
        _lab.StartDaemon();
        Eventually.Until(() => Row(Cli("stat", "-i").Out, "net1").Contains("ok        ok"), TimeSpan.FromSeconds(5), "net1 probing ok", _lab.Describe);

        _lab.PullCable("net0");
        _lab.KillPort("net1");
        Eventually.Until(() => Row(Cli("stat", "-i").Out, "net1").EndsWith("failed"), TimeSpan.FromSeconds(3), "net1 failed by probes", _lab.Describe);

        var i = Cli("stat", "-i").Out;
        Assert.Matches(@"^net0 +no +ipmp0 +------- +down +failed +failed$", Row(i, "net0"));
        Assert.Matches(@"^net1 +no +ipmp0 +------- +up +failed +failed$", Row(i, "net1"));
        Assert.Matches(@"^net2 +yes +ipmp0 +-smbM-- +up +ok +ok$", Row(i, "net2"));

        var g = Cli("stat", "-g").Out;
        // FDT shows the group's current FDT: 0.60s, or more if a loaded machine made the daemon raise it.
        Assert.Matches(@"^ipmp0 +ipmp0 +degraded +\d+\.\d\ds +net2 \[net1 net0\]$", Row(g, "ipmp0"));

        var a = Cli("stat", "-an").Out;
        Assert.Matches(@"^192\.168\.10\.50 +up +ipmp0 +net2 +net2$", Row(a, "192.168.10.50"));
        Assert.Matches(@"^192\.168\.10\.51 +up +ipmp0 +net2 +net2$", Row(a, "192.168.10.51"));
        Assert.Matches(@"^2001:db8:10::50 +up +ipmp0 +net2 +net2$", Row(a, "2001:db8:10::50"));

        var t = Cli("stat", "-tn").Out.Split('\n').Where(l => l.StartsWith("net2 ")).ToList();
        Assert.Contains(t, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^net2 +routes +192\.168\.10\.12 +192\.168\.10\.1$"));
        // IPv6 probes from the link-local address; each neighbour listed once.
        var v6 = t.Single(l => l.Contains("fe80::"));
        var targets = v6.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3).ToList();
        Assert.NotEmpty(targets);
        Assert.Equal(targets.Count, targets.Distinct().Count());

        var parsable = Cli("stat", "-gP", "-o", "group,state,interfaces").Out.Trim();
        Assert.Equal("ipmp0:degraded:net2 [net1 net0]", parsable);
    }

    [Fact]
    public void Ipv6_probes_alone_detect_a_dead_port()
    {
        // No IPv4 test addresses: only the link-local IPv6 probes can see the dead port.
        _lab.WriteConfig("FAILURE_DETECTION_TIME=800\n", new Dictionary<string, string>
        {
            ["hostname.net0"] = "192.168.10.50/24 group ipmp0 up\n",
            ["hostname.net1"] = "192.168.10.51/24 group ipmp0 up\n",
            ["hostname6.net0"] = "-failover group ipmp0 up\n",
            ["hostname6.net1"] = "-failover group ipmp0 up\n",
        });
        _lab.StartDaemon();
        Eventually.Until(() => Row(Cli("stat", "-i").Out, "net1").Contains("ok        ok"), TimeSpan.FromSeconds(5), "IPv6 probing ok", _lab.Describe);
        _lab.KillPort("net1");
        Eventually.Until(() => _lab.Holder("192.168.10.51") == "net0", TimeSpan.FromSeconds(3), "failover by IPv6 probes", _lab.Describe);
        Assert.DoesNotContain("Fake probe reply", _lab.Log);
    }

    [Fact]
    public void An_unprivileged_user_may_look_but_not_touch()
    {
        _lab.WriteStandardConfig(fdtMs: 600);
        _lab.StartDaemon();
        File.SetUnixFileMode(_lab.Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var look = CliAs("65534", "stat", "-i");
        Assert.True(look.Exit == 0, look.Err);
        Assert.Contains("net0", look.Out);

        var touch = CliAs("65534", "offline", "net0");
        Assert.NotEqual(0, touch.Exit);
        Assert.Contains("insufficient privileges", touch.Err);
        Assert.Equal("net0", _lab.Holder("192.168.10.50"));

        var root = Cli("offline", "net0");
        Assert.True(root.Exit == 0, root.Err);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), "offline moved the address", _lab.Describe);
        var refused = Cli("offline", "net1");
        Assert.Equal(0, refused.Exit);   // net2 still works, so net1 may go too
        var last = Cli("offline", "net2");
        Assert.Equal(1, last.Exit);
        Assert.Contains("if_mpadm: fatal: cannot offline net2: no other functioning interfaces are in its IPMP group", last.Err);
        Assert.Equal(0, Cli("online", "net0").Exit);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(2), "online took the address back", _lab.Describe);
    }

    public void Dispose()
    {
        _lab.Dispose();
        _readableCli?.Dispose();
    }
}
