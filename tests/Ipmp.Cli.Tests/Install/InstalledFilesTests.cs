using Ipmp.Cli.Install;
using Ipmp.Host.Configuration;

namespace Ipmp.Cli.Tests.Install;

/// <summary>One installation into a temporary prefix, by copying this test run's build (no publish).</summary>
public sealed class InstallFixture : IDisposable
{
    private readonly TempDir _dir = new();

    public InstallFixture()
    {
        Prefix = _dir["prefix"];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Exit = new Installer(new InstallOptions { Prefix = Prefix, BuildDirectory = InstallRun.BuildDirectory }, stdout, stderr)
            .RunAsync().GetAwaiter().GetResult();
        Out = stdout.ToString();
        Err = stderr.ToString();
        Layout = InstallLayout.For(Prefix, null);
    }

    public string Prefix { get; }

    public int Exit { get; }

    public string Out { get; }

    public string Err { get; }

    internal InstallLayout Layout { get; }

    /// <summary>A control socket path where no daemon listens.</summary>
    public string NoDaemonSocket => _dir["no-daemon.sock"];

    public void Dispose() => _dir.Dispose();
}

public class InstalledFilesTests(InstallFixture f) : IClassFixture<InstallFixture>
{
    private const UnixFileMode Mode0755 = (UnixFileMode)0b111_101_101;
    private const UnixFileMode Mode0644 = (UnixFileMode)0b110_100_100;

    [Fact]
    public void Install_succeeds_quietly_and_prints_the_commands_for_the_operator()
    {
        Assert.Equal("", f.Err);
        Assert.Equal(0, f.Exit);
        Assert.Contains($"ipmp is installed in {f.Prefix}.", f.Out);
        Assert.Contains("The service was not enabled or started.", f.Out);
        Assert.Contains("systemctl enable --now ipmpd.service", f.Out);
        Assert.Contains($"{f.Prefix}/bin/ipmp check-config --config-dir /etc/ipmp", f.Out);
    }

    [Fact]
    public void Every_file_is_in_place_with_its_mode()
    {
        string p = f.Prefix;
        Assert.True(File.Exists($"{p}/lib/ipmp/ipmp.dll"));
        Assert.True(File.Exists($"{p}/lib/ipmp/ipmp.runtimeconfig.json"));
        foreach (string launcher in new[] { "bin/ipmp", "bin/ipmpstat", "sbin/if_mpadm" })
        {
            Assert.True(File.Exists($"{p}/{launcher}"), launcher);
            Assert.Equal(Mode0755, File.GetUnixFileMode($"{p}/{launcher}"));
            Assert.StartsWith("#!/bin/sh\n", File.ReadAllText($"{p}/{launcher}"));
        }
        Assert.Equal(Mode0644, File.GetUnixFileMode($"{p}/lib/systemd/system/ipmpd.service"));
        Assert.Equal(["hostname.eth0", "hostname.eth1", "hostname.eth2", "mpathd"],
            Directory.GetFiles($"{p}/share/ipmp/examples").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["if_mpadm.8", "ipmp.8", "ipmpstat.8"],
            Directory.GetFiles($"{p}/share/man/man8").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["mpathd.5"], Directory.GetFiles($"{p}/share/man/man5").Select(Path.GetFileName));
        Assert.All(Directory.GetFiles($"{p}/share/man", "*", SearchOption.AllDirectories), m => Assert.Equal(Mode0644, File.GetUnixFileMode(m)));
        // Debug symbols are never installed, even when the copied build has them.
        Assert.True(File.Exists(Path.Combine(InstallRun.BuildDirectory, "ipmp.pdb")));
        Assert.Empty(Directory.GetFiles($"{p}/lib/ipmp", "*.pdb", SearchOption.AllDirectories));
        Assert.All(Directory.GetFiles($"{p}/share/ipmp/examples"), e => Assert.Equal(Mode0644, File.GetUnixFileMode(e)));
        // The swap leaves no staging directory behind, and the ./ipmp script's bookkeeping is not copied.
        Assert.Equal(["ipmp", "systemd"], Directory.GetDirectories($"{p}/lib").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(File.Exists($"{p}/lib/ipmp/.stamp"));
    }

    [Fact]
    public void The_unit_runs_the_daemon_as_a_notify_service_with_reload_and_restart()
    {
        var unit = InstallRun.ParseUnit(File.ReadAllText(f.Layout.UnitFile));
        Assert.Equal(["Unit", "Service", "Install"], unit.Keys);
        string Value(string section, string key) => Assert.Single(unit[section], kv => kv.Key == key).Value;

        Assert.Equal("notify", Value("Service", "Type"));
        Assert.Equal($"{f.Prefix}/bin/ipmp daemon --config-dir /etc/ipmp --realtime-priority 1", Value("Service", "ExecStart"));
        Assert.Equal("/bin/kill -HUP $MAINPID", Value("Service", "ExecReload"));
        Assert.Equal("on-failure", Value("Service", "Restart"));
        Assert.Equal("ipmp", Value("Service", "RuntimeDirectory"));
        // The state file lives there: a restart (Restart=on-failure, an upgrade) must not delete it.
        Assert.Equal("yes", Value("Service", "RuntimeDirectoryPreserve"));
        Assert.Equal("network-pre.target", Value("Unit", "After"));
        Assert.Equal("network-pre.target", Value("Unit", "Wants"));
        Assert.Equal("network.target", Value("Unit", "Before"));
        Assert.Equal("multi-user.target", Value("Install", "WantedBy"));

        // Hardening that leaves the daemon its capabilities, its sysctls and the JIT.
        Assert.Equal("CAP_NET_ADMIN CAP_NET_RAW", Value("Service", "CapabilityBoundingSet"));
        Assert.Equal("CAP_NET_ADMIN CAP_NET_RAW", Value("Service", "AmbientCapabilities"));
        Assert.Equal("strict", Value("Service", "ProtectSystem"));
        Assert.Equal("yes", Value("Service", "NoNewPrivileges"));
        Assert.Contains("AF_NETLINK", Value("Service", "RestrictAddressFamilies"));
        Assert.Contains("AF_PACKET", Value("Service", "RestrictAddressFamilies"));
        Assert.DoesNotContain(unit["Service"], kv => kv.Key is "ProtectKernelTunables" or "MemoryDenyWriteExecute"
            or "PrivateNetwork" or "SystemCallFilter" or "DynamicUser");
    }

    [SystemdAnalyzeFact]
    public void Systemd_analyze_verify_accepts_the_unit()
    {
        var (exit, output) = SystemdAnalyze.Verify(f.Layout.UnitFile);
        Assert.Equal("", output.Trim());   // it only warns, with exit 0, about unknown keys and bad values
        Assert.Equal(0, exit);
    }

    [Fact]
    public void Ipmpstat_without_a_daemon_says_it_cannot_contact_it_and_fails()
    {
        var (exit, stdout, stderr) = InstallRun.Program(f.Layout.IpmpStat, f.NoDaemonSocket, "-i");
        Assert.Equal("ipmpstat: cannot contact the ipmp daemon -- is IPMP in use?\n", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, exit);
    }

    [Fact]
    public void Ipmpstat_passes_its_arguments_to_ipmp_stat()
    {
        var (exit, _, stderr) = InstallRun.Program(f.Layout.IpmpStat, f.NoDaemonSocket, "-x");
        Assert.StartsWith("ipmpstat: ", stderr);
        Assert.Contains("usage: ipmpstat [-n] [-o <field> [-P]] -a|-g|-i|-p|-t", stderr);
        Assert.Equal(1, exit);
    }

    [Theory]
    [InlineData("")]
    [InlineData("", "eth0")]
    [InlineData("if_mpadm: option requires an argument -- d\n", "-d")]
    [InlineData("if_mpadm: option requires an argument -- r\n", "-r")]
    [InlineData("if_mpadm: illegal option -- x\n", "-x", "eth0")]
    [InlineData("", "-d", "")]
    [InlineData("if_mpadm: illegal option -- h\n", "-h")]
    [InlineData("if_mpadm: illegal option -- -\n", "--help")]
    public void If_mpadm_with_bad_arguments_prints_the_illumos_usage_and_exits_1(string getoptLine, params string[] args)
    {
        var (exit, stdout, stderr) = InstallRun.Program(f.Layout.IfMpadm, f.NoDaemonSocket, args);
        Assert.Equal(getoptLine + "Usage: if_mpadm [-d | -r] <interface>\n", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, exit);
    }

    [Theory]
    [InlineData("offline", "-d", "eth0")]
    [InlineData("offline", "-deth0")]
    [InlineData("undo-offline", "-r", "eth0")]
    [InlineData("undo-offline", "-reth0")]
    [InlineData("undo-offline", "-d", "eth0", "-r", "eth0")]
    public void If_mpadm_d_and_r_reach_offline_and_online(string verb, params string[] args)
    {
        var (exit, stdout, stderr) = InstallRun.Program(f.Layout.IfMpadm, f.NoDaemonSocket, args);
        Assert.Equal($"if_mpadm: fatal: cannot {verb} eth0: cannot contact the ipmp daemon\n", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, exit);
    }

    [Fact]
    public void The_example_configuration_passes_the_loader_without_a_diagnostic()
    {
        ConfigLoadResult result = ConfigDirectory.Load(f.Layout.ExamplesDirectory);
        Assert.Empty(result.Diagnostics);
        var config = Assert.IsType<Core.Configuration.IpmpConfig>(result.Config);
        Assert.Equal(["eth0", "eth1", "eth2"], config.Interfaces.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.All(config.Interfaces, i => Assert.Equal("ipmp0", i.Group));
        Assert.All(config.Interfaces, i => Assert.NotNull(i.TestAddressV4));
        Assert.Equal(["eth2"], config.Interfaces.Where(i => i.Standby).Select(i => i.Name));
    }

    [Fact]
    public void The_installed_check_config_accepts_the_example_configuration()
    {
        var (exit, stdout, stderr) = InstallRun.Program(f.Layout.IpmpLauncher, f.NoDaemonSocket,
            "check-config", "--config-dir", f.Layout.ExamplesDirectory);
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.Contains("FAILURE_DETECTION_TIME=10000 FAILBACK=yes TRACK_INTERFACES_ONLY_WITH_GROUPS=yes", stdout);
        Assert.Contains("interface eth2: group ipmp0 standby", stdout);
    }
}
