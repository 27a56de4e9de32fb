using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;
using Xunit.Abstractions;

namespace Ipmp.Integration.Tests;

/// <summary>The real daemon in a namespace lab with <c>--metrics-address</c> and <c>notify.d</c>: what Prometheus
/// scrapes before and after a pulled cable, and hooks that record the failover (or sleep) without slowing it.</summary>
public sealed class ObservabilityTests(ITestOutputHelper output) : IDisposable
{
    private const int Port = 9464;
    private readonly NamespaceLab _lab = new();

    /// <summary>GET /metrics from inside the host namespace (the daemon listens on its loopback).</summary>
    private string Scrape()
    {
        using var ns = _lab.OpenNamespace(_lab.HostNs);
        var response = ns.Run(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
            socket.Connect(IPAddress.Loopback, Port);
            socket.Send(Encoding.ASCII.GetBytes($"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1:{Port}\r\n\r\n"));
            var all = new MemoryStream();
            var buffer = new byte[65536];
            int n;
            while ((n = socket.Receive(buffer)) > 0) all.Write(buffer, 0, n);
            return Encoding.UTF8.GetString(all.ToArray());
        });
        Assert.StartsWith("HTTP/1.1 200", response);
        return response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    private static double Value(string text, string series)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {series} in\n{text}");
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Metrics_before_and_after_a_cable_pull()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon(arguments: ["--metrics-address", $"127.0.0.1:{Port}"]);
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0" && _lab.Holder("192.168.10.51") == "net1",
            TimeSpan.FromSeconds(5), "data addresses on their home NICs", _lab.Describe);
        await ProbeWatch.UntilAnsweredAsync(_lab, "net0", "net1", "net2");
        Assert.Contains($"metrics on http://127.0.0.1:{Port}/metrics", _lab.Log);

        var before = Scrape();
        output.WriteLine("--- before ---\n" + before);
        Assert.Equal(0, Value(before, "ipmp_interface_failures_total{group=\"ipmp0\",interface=\"net0\"}"));
        Assert.Equal(1, Value(before, "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"}"));
        Assert.Equal(1, Value(before, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"ok\"}"));
        Assert.Equal(1, Value(before, "ipmp_group_state{group=\"ipmp0\",state=\"ok\"}"));
        Assert.Equal(1, Value(before, "ipmp_failure_detection_time_seconds{group=\"ipmp0\"}"));
        Assert.True(Value(before, "ipmp_probes_sent_total{group=\"ipmp0\",interface=\"net0\"}") > 0);
        Assert.True(Value(before, "ipmp_probe_rtt_seconds_count{group=\"ipmp0\",interface=\"net0\"}") > 0);
        var movesBefore = Value(before, "ipmp_address_moves_total{group=\"ipmp0\"}");
        Promtool.Accepts(before);

        _lab.PullCable("net0");
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);
        // A snapshot is reused for 100 ms (one per collection): a scrape right after may be that old.
        var after = "";
        Eventually.Until(() => Value(after = Scrape(), "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"}") == 0,
            TimeSpan.FromSeconds(1), "net0 inactive in a scrape", () => after);
        output.WriteLine("--- after ---\n" + after);
        Assert.Equal(1, Value(after, "ipmp_interface_failures_total{group=\"ipmp0\",interface=\"net0\"}"));
        Assert.True(Value(after, "ipmp_address_moves_total{group=\"ipmp0\"}") > movesBefore);
        Assert.Equal(0, Value(after, "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"}"));
        Assert.Equal(1, Value(after, "ipmp_interface_active{group=\"ipmp0\",interface=\"net2\"}"));
        Assert.Equal(1, Value(after, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"failed\"}"));
        Assert.Equal(1, Value(after, "ipmp_group_state{group=\"ipmp0\",state=\"degraded\"}"));
        var changed = Value(after, "ipmp_last_change_timestamp_seconds{group=\"ipmp0\",interface=\"net0\"}");
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - changed, 0, 10);
        Promtool.Accepts(after);
    }

    [Fact]
    public void Hooks_record_the_failover_and_a_sleeping_hook_does_not_slow_the_move()
    {
        _lab.WriteStandardConfig(fdtMs: 1000);
        _lab.StartDaemon();
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(5), ".50 on net0", _lab.Describe);

        // Without hooks: the usual move.
        _lab.PullCable("net0");
        var withoutHooks = Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);

        // Hooks appear (the directory is read for each batch of events): one records, one sleeps 30 s.
        var events = Path.Combine(_lab.Dir, "events");
        var sleepers = Path.Combine(_lab.Dir, "sleepers");
        Hook("10-record", $"echo \"$(date +%s.%N) $IPMP_EVENT $IPMP_GROUP $IPMP_INTERFACE $IPMP_DETAIL\" >> {events}");
        Hook("20-sleep", $"echo $$ >> {sleepers}; exec sleep 30");
        _lab.PlugCable("net0");
        // A probing NIC repairs after 10 answered probes (about 1.4 x FDT); a busy CI machine adds to that.
        Eventually.Until(() => _lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(6), ".50 back on net0", _lab.Describe);
        Eventually.Until(() => File.Exists(sleepers), TimeSpan.FromSeconds(5), "the sleeping hook to be asleep", _lab.Describe);
        Eventually.Until(() => Recorded().Any(l => l.Contains(" interface-repaired ipmp0 net0")), TimeSpan.FromSeconds(5),
            "the repair recorded", _lab.Describe);

        // Again, with a hook asleep (and its queue of events behind it).
        var earlier = Recorded().Length;
        var pulled = DateTimeOffset.UtcNow;
        _lab.PullCable("net0");
        var withHooks = Eventually.Until(() => _lab.Holder("192.168.10.50") == "net2", TimeSpan.FromSeconds(2), ".50 on the standby", _lab.Describe);
        var recorded = Eventually.Until(() => Recorded().Skip(earlier).Any(l => l.Contains(" interface-failed ipmp0 net0")) &&
            Recorded().Skip(earlier).Any(l => l.Contains(" address-moved ipmp0 net2 192.168.10.50/24 net0 -> net2")), TimeSpan.FromSeconds(2),
            "interface-failed and address-moved recorded", () => string.Join("\n", Recorded()) + "\n" + _lab.Describe());
        output.WriteLine($"move without hooks {withoutHooks.TotalMilliseconds:F1} ms, with a sleeping hook {withHooks.TotalMilliseconds:F1} ms; " +
            $"both events recorded {recorded.TotalMilliseconds:F0} ms after the move was seen");
        Assert.True(withHooks < TimeSpan.FromMilliseconds(500), $"failover took {withHooks.TotalMilliseconds} ms with hooks");
        // The recording hook's own clock: its lines came within 2 s of the pull.
        var failedAt = Recorded().Skip(earlier).Where(l => l.Contains(" interface-failed ipmp0 net0")).Select(l => double.Parse(l.Split(' ')[0], CultureInfo.InvariantCulture)).Single();
        Assert.InRange(failedAt - pulled.ToUnixTimeMilliseconds() / 1000.0, 0, 2);
        Assert.True(File.ReadAllLines(sleepers).Length >= 1);
        Assert.DoesNotContain("notify: cannot run", _lab.Log);
    }

    private string[] Recorded()
    {
        var path = Path.Combine(_lab.Dir, "events");
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    private void Hook(string name, string body)
    {
        var dir = Path.Combine(_lab.ConfigDir, "notify.d");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    public void Dispose()
    {
        var sleepers = Path.Combine(_lab.Dir, "sleepers");
        var pids = File.Exists(sleepers) ? File.ReadAllLines(sleepers) : [];
        _lab.Dispose();
        // Hooks run in process groups of their own: a sleeper the daemon did not live to kill is ended here.
        foreach (var line in pids)
            if (int.TryParse(line, out var pid)) Shell.RunProcess("kill", "-KILL", "--", $"-{pid}");
    }
}
