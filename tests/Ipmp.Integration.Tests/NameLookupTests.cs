using System.Diagnostics;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;
using Xunit.Abstractions;

namespace Ipmp.Integration.Tests;

/// <summary>
/// ipmpstat without -n never hangs on name lookups: in a namespace whose resolver is unreachable (its
/// /etc/netns/NS/resolv.conf names an address behind a veth whose other end drops everything),
/// `ipmp stat -t` still returns within 2 s, with numbers for the names it could not get.
/// </summary>
public sealed class NameLookupTests(ITestOutputHelper output) : IDisposable
{
    private const string DeadResolver = "198.51.100.53";
    private readonly NamespaceLab _lab = new();
    private readonly bool _hadEtcNetns = Directory.Exists("/etc/netns");

    private string EtcNetns => Path.Combine("/etc/netns", _lab.HostNs);

    public void Dispose()
    {
        try
        {
            Directory.Delete(EtcNetns, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        if (!_hadEtcNetns && Directory.Exists("/etc/netns") && !Directory.EnumerateFileSystemEntries("/etc/netns").Any())
            Directory.Delete("/etc/netns");
        _lab.Dispose();
    }

    [Fact]
    public void Stat_t_returns_within_2_s_when_the_resolver_never_answers()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon();
        Eventually.Until(() => Shell.Run("dotnet", NamespaceLab.IpmpDll, "stat", "-tn", "--socket", _lab.SocketPath).Contains("192.168.10.1"),
            TimeSpan.FromSeconds(10), "targets found", _lab.Describe);

        // The resolver's address is reached through a veth whose other end (in the switch namespace, on no bridge,
        // with no address) drops everything: queries leave and nothing answers, not even an ICMP error.
        Shell.Ip("-n", _lab.HostNs, "link", "add", "dns0", "type", "veth", "peer", "name", "sdns", "netns", _lab.SwitchNs);
        Shell.Ip("-n", _lab.SwitchNs, "link", "set", "sdns", "up");
        Shell.Ip("-n", _lab.HostNs, "addr", "add", "198.51.100.2/24", "dev", "dns0");
        Shell.Ip("-n", _lab.HostNs, "link", "set", "dns0", "up");
        Shell.Ip("-n", _lab.HostNs, "neigh", "add", DeadResolver, "lladdr", "02:00:00:00:00:53", "dev", "dns0", "nud", "permanent");
        Directory.CreateDirectory(EtcNetns);
        File.WriteAllText(Path.Combine(EtcNetns, "resolv.conf"), $"nameserver {DeadResolver}\noptions timeout:5 attempts:2\n");

        // The set-up is real: a reverse lookup there hangs (glibc would wait 10 s).
        var probe = Stopwatch.StartNew();
        var getent = Shell.RunProcess("ip", "netns", "exec", _lab.HostNs, "timeout", "2", "getent", "hosts", "192.168.10.1");
        Assert.True(getent.ExitCode == 124, $"getent did not hang (exit {getent.ExitCode} after {probe.ElapsedMilliseconds} ms): {getent.Output}");

        var sw = Stopwatch.StartNew();
        var stat = Shell.RunProcess("ip", "netns", "exec", _lab.HostNs, "dotnet", NamespaceLab.IpmpDll, "stat", "-t", "--socket", _lab.SocketPath);
        sw.Stop();
        output.WriteLine($"ipmp stat -t with an unreachable resolver: {sw.ElapsedMilliseconds} ms (getent hosts: killed after 2 s)\n{stat.Output}");
        Assert.True(stat.ExitCode == 0, stat.Output);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"ipmp stat -t took {sw.ElapsedMilliseconds} ms");
        Assert.Matches(@"net0 +routes +192\.168\.10\.10 +192\.168\.10\.1", stat.Output);
    }
}
