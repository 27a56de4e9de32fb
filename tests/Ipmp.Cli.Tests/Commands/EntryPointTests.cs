using System.Diagnostics;
using Ipmp.Cli.Commands;
using Ipmp.Cli.Stat;

namespace Ipmp.Cli.Tests.Commands;

/// <summary>The built program's command line: the shipped verbs, and ipmpstat's and if_mpadm's own parsing.</summary>
public class EntryPointTests
{
    private static readonly string Dir = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);

    private static (int Exit, string Out, string Err) Run(string dll, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(Dir, dll));
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["IPMP_SOCKET"] = Path.Combine(Path.GetTempPath(), $"ipmp-no-daemon-{Guid.NewGuid():N}.sock");
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ipmp {string.Join(' ', args)}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [InlineData("-h", "h")]
    [InlineData("--help", "help")]
    [InlineData("-x", "x")]
    [InlineData("-?", "?")]
    public void Stat_with_h_or_a_bad_option_prints_ipmpstats_usage_and_fails_as_illumos(string option, string shown)
    {
        var (exit, stdout, stderr) = Run("ipmp.dll", "stat", option);
        Assert.Equal($"ipmpstat: illegal option -- {shown}\n" + StatMessages.Usage, stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, exit);   // illumos usage(): exit(EXIT_FAILURE)
    }

    [Fact]
    public void If_mpadm_with_h_prints_the_illumos_usage_and_fails()
    {
        var (exit, stdout, stderr) = Run("ipmp.dll", "if_mpadm", "-h");
        Assert.Equal("if_mpadm: illegal option -- h\nUsage: if_mpadm [-d | -r] <interface>\n", stderr);
        Assert.Equal("", stdout);
        Assert.Equal(1, exit);
    }

    [Fact]
    public void The_shipped_program_has_no_developer_verbs_and_the_developer_program_adds_them()
    {
        string[] shipped = ["daemon", "check-config", "stat", "offline", "online", "reload", "events", "install"];
        Assert.Equal(shipped, IpmpCli.CreateRoot().Subcommands.Select(c => c.Name));
        Assert.Equal([.. shipped, "demo", "bench", "package"], IpmpCli.CreateRoot(Dev.DevCommands.Create()).Subcommands.Select(c => c.Name));

        var (exit, stdout, _) = Run("ipmp.dll", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("check-config", stdout);
        Assert.DoesNotContain("demo", stdout);
        Assert.DoesNotContain("bench", stdout);
        Assert.DoesNotContain("package", stdout);
        (exit, stdout, _) = Run("ipmp-dev.dll", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("demo", stdout);
        Assert.Contains("bench", stdout);
        Assert.Contains("package", stdout);
        // The shipped assembly does not even reference the developer assemblies.
        Assert.DoesNotContain(typeof(IpmpCli).Assembly.GetReferencedAssemblies(),
            a => a.Name is "Ipmp.Lab" or "Ipmp.Bench" or "Ipmp.Simulation" or "ipmp-dev");
    }
}

public class IfMpadmParseTests
{
    [Theory]
    [InlineData(true, "eth0", "-d", "eth0")]
    [InlineData(true, "eth0", "-deth0")]
    [InlineData(false, "eth0", "-r", "eth0")]
    [InlineData(false, "eth0", "-reth0")]
    [InlineData(false, "eth0", "-d", "eth0", "-r", "eth0")]   // the last one wins
    [InlineData(true, "eth0", "-d", "eth0", "eth1")]          // operands after the options are ignored
    [InlineData(true, "-r", "-d", "-r")]                      // getopt takes the next word, whatever it is
    public void Getopt_d_r(bool offline, string ifname, params string[] args)
    {
        var (o, i, error) = IfMpadmCommand.Parse(args);
        Assert.Equal("", error);
        Assert.Equal(offline, o);
        Assert.Equal(ifname, i);
    }

    [Theory]
    [InlineData("")]
    [InlineData("if_mpadm: illegal option -- x\n", "-x", "eth0")]
    [InlineData("if_mpadm: illegal option -- h\n", "-h")]
    [InlineData("if_mpadm: illegal option -- -\n", "--help")]
    [InlineData("if_mpadm: option requires an argument -- d\n", "-d")]
    [InlineData("if_mpadm: option requires an argument -- r\n", "-r")]
    [InlineData("", "eth0")]
    [InlineData("", "--", "-d", "eth0")]
    [InlineData("", "-d", "")]
    public void Anything_else_is_usage(string getoptLine, params string[] args)
    {
        var (_, i, error) = IfMpadmCommand.Parse(args);
        Assert.Null(i);
        Assert.Equal(getoptLine, error);
    }
}
