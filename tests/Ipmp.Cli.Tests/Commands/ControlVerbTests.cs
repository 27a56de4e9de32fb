using System.Diagnostics;
using Ipmp.Cli.Commands;
using Ipmp.Cli.Tests.Stat;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Tests.Commands;

public class StatVerbTests
{
    private const string CannotContact = "ipmpstat: cannot contact the ipmp daemon -- is IPMP in use?\n";

    [Theory]
    [InlineData("-i")]
    [InlineData("-g")]
    [InlineData("-tn")]
    [InlineData("-an")]
    [InlineData("-gP -o group,state,fdt,interfaces")]
    [InlineData("-anP -o address,inbound")]
    [InlineData("-n -o all -i")]
    [InlineData("-j -g")]
    public async Task Stat_prints_the_renderers_output_for_the_daemons_snapshot(string statArgs)
    {
        using var f = new CliServerFixture();
        var (exit, stdout, stderr) = await Cli.RunAsync(["stat", .. StatRunner.Args(statArgs), "--socket", f.SocketPath]);
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.Equal(StatRunner.Run(statArgs, ExampleScenario.Snapshot), stdout);
    }

    [Fact]
    public async Task Stat_i_matches_the_reference_example()
    {
        using var f = new CliServerFixture();
        var (exit, stdout, _) = await Cli.RunAsync("stat", "-i", "--socket", f.SocketPath);
        Assert.Equal(0, exit);
        Assert.Equal("""
            INTERFACE   ACTIVE  GROUP       FLAGS     LINK      PROBE     STATE
            net4        yes     ipmp1       --mbM--   up        ok        ok
            net3        no      ipmp1       -------   down      failed    failed
            net2        no      ipmp0       is-----   up        ok        ok
            net1        yes     ipmp0       --mbM--   up        ok        ok
            net0        yes     ipmp0       -------   up        disabled  ok
            net5        yes     --          -------   unknown   disabled  ok

            """.Replace("\r\n", "\n"), stdout);
    }

    [Fact]
    public async Task The_socket_comes_from_the_environment_when_not_given()
    {
        using var f = new CliServerFixture();
        string? saved = Environment.GetEnvironmentVariable("IPMP_SOCKET");
        try
        {
            Environment.SetEnvironmentVariable("IPMP_SOCKET", f.SocketPath);
            var (exit, stdout, _) = await Cli.RunAsync("stat", "-gP", "-o", "groupname");
            Assert.Equal(0, exit);
            Assert.Equal("grp1\nipmp0\n\n", stdout);
            (exit, _, string stderr) = await Cli.RunAsync("stat", "-g", "--socket=" + f.DeadPath);   // --socket wins
            Assert.Equal(1, exit);
            Assert.Equal(CannotContact, stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IPMP_SOCKET", saved);
        }
    }

    [Fact]
    public async Task Cannot_contact_the_daemon()
    {
        using var f = new CliServerFixture();
        var (exit, stdout, stderr) = await Cli.RunAsync("stat", "-a", "--socket", f.DeadPath);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal(CannotContact, stderr);

        f.Server.Dispose();   // a daemon that went away: no socket file any more
        (exit, _, stderr) = await Cli.RunAsync("stat", "-p", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal(CannotContact, stderr);
    }

    [Fact]
    public async Task Option_errors_come_before_contacting_the_daemon()
    {
        var (exit, _, stderr) = await Cli.RunAsync("stat", "-gi", "--socket", "/nonexistent/ipmpd.sock");
        Assert.Equal(1, exit);
        Assert.Equal("ipmpstat: only one output format may be specified\n", stderr);

        (exit, _, stderr) = await Cli.RunAsync("stat", "-P", "-g", "--socket", "/nonexistent/ipmpd.sock");
        Assert.Equal("ipmpstat: output fields must be specified in parsable mode\n", stderr);

        (exit, _, stderr) = await Cli.RunAsync("stat", "--", "-i");
        Assert.StartsWith("usage: ipmpstat", stderr);   // as ipmpstat: -i after -- is an operand

        (exit, _, stderr) = await Cli.RunAsync("stat", "-i", "--socket");
        Assert.Equal(1, exit);
        Assert.Equal("ipmpstat: option requires an argument -- socket\n", stderr);
    }

    [Fact]
    public void Socket_option_is_taken_out_but_never_from_o()
    {
        Assert.Equal("- | -o --socket -i", Split("-o --socket -i"));
        Assert.Equal("/s | -gPo --socket=x -g", Split("-gPo --socket=x -g --socket /s"));
        Assert.Equal("/s | -ogroup -g", Split("-ogroup --socket=/s -g"));
        Assert.Equal("- | -i -- --socket /s", Split("-i -- --socket /s"));
        Assert.Equal("/b | -i", Split("--socket /a -i --socket /b"));

        static string Split(string line)
        {
            var (socket, rest, error) = StatCommand.SplitSocketOption(StatRunner.Args(line));
            Assert.Null(error);
            return $"{socket ?? "-"} | {string.Join(' ', rest)}";
        }
    }

    [Fact]
    public async Task Stat_p_streams_probe_rows_until_interrupted()
    {
        using var f = new CliServerFixture();
        var stdout = new SharedWriter();
        var stderr = new SharedWriter();
        using var cts = new CancellationTokenSource();
        Task<int> run = StatCommand.RunAsync(["-pn", "--socket", f.SocketPath], stdout, stderr, cts.Token, rows: 24);
        await f.Daemon.WaitForSubscriberAsync();
        foreach (ProbeEvent e in ExampleScenario.ProbeEvents)
            f.Daemon.Publish(e);
        f.Daemon.Publish(new StateChange(TimeSpan.Zero, "k", "g", null, "not shown"));

        string expected = StatRunner.RunProbes("-pn", ExampleScenario.ProbeEvents, ExampleScenario.ProbeStart);
        await stdout.WaitForAsync(t => t.Length >= expected.Length);
        cts.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(expected, stdout.Text);
        Assert.Equal("", stderr.Text);
    }

    [Fact]
    public async Task Stat_p_refuses_when_nothing_probes()
    {
        using var f = new CliServerFixture();
        f.Daemon.Snapshot = ExampleScenario.Snapshot with
        {
            Interfaces = [.. ExampleScenario.Snapshot.Interfaces.Select(i => i with { Probe = ProbeState.Disabled })],
        };
        var (exit, _, stderr) = await Cli.RunAsync("stat", "-p", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal("ipmpstat: probe-based failure detection is disabled\n", stderr);
    }
}

public class AdminVerbTests
{
    [Fact]
    public async Task Offline_and_online_succeed_quietly()
    {
        using var f = new CliServerFixture();
        Assert.Equal((0, "", ""), await Cli.RunAsync("offline", "net4", "--socket", f.SocketPath));
        f.Daemon.Snapshot = ExampleScenario.Snapshot with
        {
            Interfaces = [.. ExampleScenario.Snapshot.Interfaces.Select(i => i.Name == "net4" ? i with { State = InterfaceState.Offline } : i)],
        };
        Assert.Equal((0, "", ""), await Cli.RunAsync("online", "net4", "--socket", f.SocketPath));
        Assert.Equal(["offline net4 1", "online net4"], f.Daemon.Calls);
    }

    [Theory]
    [InlineData(IpmpError.UnknownInterface, "interface is not using IPMP", "not a physical interface or not in an IPMP group")]
    [InlineData(IpmpError.MinRedundancy, "minimum failover redundancy not met", "no other functioning interfaces are in its IPMP group")]
    [InlineData(IpmpError.Failure, "insufficient privileges for offline", "insufficient privileges for offline")]
    [InlineData(IpmpError.HwAddrDuplicate, "interface has duplicate hardware address", "interface has duplicate hardware address")]
    public async Task Refusals_use_the_if_mpadm_texts(IpmpError error, string daemonMessage, string shown)
    {
        using var f = new CliServerFixture();
        f.Daemon.Offline = _ => new AdminResult(error, daemonMessage);
        f.Daemon.Online = _ => new AdminResult(error, daemonMessage);
        var (exit, stdout, stderr) = await Cli.RunAsync("offline", "eth9", "--socket", f.SocketPath);
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Equal($"if_mpadm: fatal: cannot offline eth9: {shown}\n", stderr);

        (exit, _, stderr) = await Cli.RunAsync("online", "eth9", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal($"if_mpadm: fatal: cannot undo-offline eth9: {shown}\n", stderr);
    }

    [Fact]
    public async Task Flag_checks_come_first_as_in_if_mpadm()
    {
        using var f = new CliServerFixture();
        var (exit, _, stderr) = await Cli.RunAsync("online", "net4", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal("if_mpadm: fatal: interface net4 is not offline\n", stderr);
        Assert.Empty(f.Daemon.Calls);
    }

    [Fact]
    public async Task Cannot_contact()
    {
        using var f = new CliServerFixture();
        var (exit, _, stderr) = await Cli.RunAsync("offline", "net4", "--socket", f.DeadPath);
        Assert.Equal(1, exit);
        Assert.Equal("if_mpadm: fatal: cannot offline net4: cannot contact the ipmp daemon\n", stderr);
    }

    [Fact]
    public async Task Reload_prints_diagnostics_and_fails_when_the_old_config_is_kept()
    {
        using var f = new CliServerFixture();
        f.Daemon.Reload = new ReloadResult(true, ["warning: mpathd:2: odd"]);
        Assert.Equal((0, "configuration reloaded\n", "warning: mpathd:2: odd\n"), await Cli.RunAsync("reload", "--socket", f.SocketPath));

        f.Daemon.Reload = new ReloadResult(false, ["error: hostname.eth0:1: expected an address"]);
        Assert.Equal((1, "", "error: hostname.eth0:1: expected an address\n" +
                             "ipmp reload: configuration not applied; the previous configuration stays in effect\n"),
            await Cli.RunAsync("reload", "--socket", f.SocketPath));

        Assert.Equal((1, "", "ipmp reload: cannot contact the ipmp daemon -- is IPMP in use?\n"),
            await Cli.RunAsync("reload", "--socket", f.DeadPath));
    }

    [Fact]
    public async Task Events_prints_one_json_line_per_event_until_interrupted()
    {
        using var f = new CliServerFixture();
        var stdout = new SharedWriter();
        var stderr = new SharedWriter();
        using var cts = new CancellationTokenSource();
        Task<int> run = EventsCommand.RunAsync(probes: false, f.SocketPath, stdout, stderr, cts.Token);
        await f.Daemon.WaitForSubscriberAsync();
        f.Daemon.Publish(ExampleScenario.ProbeEvents[1]);   // not asked for
        f.Daemon.Publish(new StateChange(TimeSpan.FromMilliseconds(1500.25), "interface-failed", "ipmp0", "net1", "net1 failed"));
        f.Daemon.Publish(new StateChange(TimeSpan.FromSeconds(2), "group-ok", "ipmp0", null, "ipmp0 is ok"));
        await stdout.WaitForAsync(t => t.Count(c => c == '\n') >= 2);
        cts.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(
            "{\"v\":1,\"event\":\"change\",\"change\":{\"at\":1500.25,\"kind\":\"interface-failed\",\"group\":\"ipmp0\",\"interface\":\"net1\",\"detail\":\"net1 failed\"}}\n" +
            "{\"v\":1,\"event\":\"change\",\"change\":{\"at\":2000,\"kind\":\"group-ok\",\"group\":\"ipmp0\",\"detail\":\"ipmp0 is ok\"}}\n",
            stdout.Text);
    }
}

/// <summary>The built ipmp binary, run under uid 65534: it may query but not offline or watch probes. It runs
/// from a copy uid 65534 can read: the build output may lie where only root may enter (a clone in `mktemp -d`).</summary>
public sealed class UnprivilegedCliTests : IDisposable
{
    private readonly Lazy<Ipmp.Lab.ReadableCopy> _cli = new(() => Ipmp.Lab.ReadableCopy.Of());

    public void Dispose()
    {
        if (_cli.IsValueCreated) _cli.Value.Dispose();
    }

    private async Task<(int Exit, string Out, string Err)> RunAsNobodyAsync(params string[] args)
    {
        string dll = _cli.Value.PathOf("ipmp.dll");
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "--", Environment.ProcessPath!, dll, .. args])
            psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(cts.Token), stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        return (p.ExitCode, await stdout, await stderr);
    }

    [NobodyCanRunTestsFact]
    public async Task Query_allowed_offline_and_probes_refused()
    {
        using var f = new CliServerFixture();

        var (exit, stdout, stderr) = await RunAsNobodyAsync("stat", "-gP", "-o", "group,state", "--socket", f.SocketPath);
        Assert.True(exit == 0, stderr);
        Assert.Equal("ipmp1:degraded\nipmp0:ok\n:ok\n", stdout);

        (exit, _, stderr) = await RunAsNobodyAsync("offline", "net4", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal("if_mpadm: fatal: cannot offline net4: insufficient privileges for offline\n", stderr);
        Assert.Empty(f.Daemon.Calls);

        (exit, _, stderr) = await RunAsNobodyAsync("stat", "-p", "--socket", f.SocketPath);
        Assert.Equal(1, exit);
        Assert.Equal("ipmpstat: insufficient privileges for -p\n", stderr);
    }
}

/// <summary>Needs root (to switch uid) and a dotnet that uid 65534 can run (the CLI is copied where it can read it).</summary>
public sealed class NobodyCanRunTestsFactAttribute : FactAttribute
{
    public NobodyCanRunTestsFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess || !File.Exists("/usr/bin/setpriv"))
            Skip = "needs root and setpriv";
        else if (!Ipmp.Lab.ReadableCopy.TraversableByOthers(Path.GetDirectoryName(Environment.ProcessPath!)!))
            Skip = $"other users cannot run {Environment.ProcessPath} (dotnet is installed where only its owner may enter)";
    }
}
