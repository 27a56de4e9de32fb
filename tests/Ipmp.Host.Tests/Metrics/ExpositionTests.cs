using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ipmp.Host.Tests.Metrics;

/// <summary>From the engine's observer callbacks and loop snapshots to the Prometheus text that the exporter
/// serves: names, labels, types and values (and <c>promtool check metrics</c> when it is installed).</summary>
public sealed class ExpositionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private MetricsView _view = MetricsView.Empty;
    private readonly IpmpMetrics _metrics;
    private readonly MetricsEndpoint _endpoint;
    private readonly HttpClient _http = new();

    public ExpositionTests()
    {
        _metrics = new IpmpMetrics(() => _view, _time, $"ipmp-test-{Guid.NewGuid():N}");
        _endpoint = MetricsEndpoint.Start(new IPEndPoint(IPAddress.Loopback, FreePort()), _metrics, NullLogger.Instance);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private TimeSpan Mono => new EngineClock(_time).Now;

    private static MetricsView View(InterfaceState net0, bool net0Active, long sent0, long lost0, GroupState group = GroupState.Ok) => new(
        [new MetricsView.GroupRow("ipmp0", group, TimeSpan.FromMilliseconds(1000))],
        [
            new MetricsView.InterfaceRow("ipmp0", "net0", net0, net0Active, sent0, lost0),
            new MetricsView.InterfaceRow("ipmp0", "net1", InterfaceState.Ok, true, 7, 0),
        ]);

    private string Scrape()
    {
        _time.Advance(TimeSpan.FromSeconds(1));   // past the snapshot's 100 ms reuse
        return _http.GetStringAsync(_endpoint.Url).GetAwaiter().GetResult();
    }

    private static void Has(string text, string line) =>
        Assert.True(text.Split('\n').Contains(line), $"missing line: {line}\n--- got ---\n{text}");

    [Fact]
    public void Observer_callbacks_and_snapshots_become_the_documented_series()
    {
        _view = View(InterfaceState.Ok, true, 10, 0);
        foreach (var m in new[] { "net0", "net1" }) _metrics.Changed(new StateChange(Mono, "member-added", "ipmp0", m, ""));
        var before = Scrape();
        // Every member has its counters from the start, at 0: a first failure is an increase, not a new series.
        Has(before, "# TYPE ipmp_interface_failures_total counter");
        Has(before, "ipmp_interface_failures_total{group=\"ipmp0\",interface=\"net0\"} 0");
        Has(before, "ipmp_address_moves_total{group=\"ipmp0\"} 0");
        Has(before, "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"} 1");
        Has(before, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"ok\"} 1");
        Has(before, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"failed\"} 0");
        Has(before, "ipmp_group_state{group=\"ipmp0\",state=\"ok\"} 1");
        Has(before, "ipmp_failure_detection_time_seconds{group=\"ipmp0\"} 1");
        Has(before, "ipmp_probes_sent_total{group=\"ipmp0\",interface=\"net0\"} 10");

        // net0 fails, its address moves, a probe is answered on net1 in 700 µs.
        _metrics.Changed(new StateChange(Mono, "interface-failed", "ipmp0", "net0", "was active"));
        _metrics.Changed(new StateChange(Mono, "address-moved", "ipmp0", "net1", "192.168.10.50/24 net0 -> net1"));
        _metrics.Changed(new StateChange(Mono, "group-state", "ipmp0", null, "degraded"));
        var sent = Mono;
        _metrics.Probe(new ProbeEvent(1, "net1", ProbeEventState.Acked, sent, sent, sent + TimeSpan.FromMicroseconds(700), sent + TimeSpan.FromMilliseconds(1),
            IPAddress.Parse("192.168.10.1"), null, null));
        _view = View(InterfaceState.Failed, false, 14, 5, GroupState.Degraded);
        var after = Scrape();
        Has(after, "ipmp_interface_failures_total{group=\"ipmp0\",interface=\"net0\"} 1");
        Has(after, "ipmp_interface_failures_total{group=\"ipmp0\",interface=\"net1\"} 0");
        Has(after, "ipmp_address_moves_total{group=\"ipmp0\"} 1");
        Has(after, "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"} 0");
        Has(after, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"failed\"} 1");
        Has(after, "ipmp_interface_state{group=\"ipmp0\",interface=\"net0\",state=\"ok\"} 0");
        Has(after, "ipmp_group_state{group=\"ipmp0\",state=\"degraded\"} 1");
        Has(after, "ipmp_probes_sent_total{group=\"ipmp0\",interface=\"net0\"} 14");
        Has(after, "ipmp_probes_lost_total{group=\"ipmp0\",interface=\"net0\"} 5");
        Has(after, "# TYPE ipmp_probe_rtt_seconds histogram");
        Has(after, "ipmp_probe_rtt_seconds_bucket{group=\"ipmp0\",interface=\"net1\",le=\"0.0005\"} 0");
        Has(after, "ipmp_probe_rtt_seconds_bucket{group=\"ipmp0\",interface=\"net1\",le=\"0.001\"} 1");
        Has(after, "ipmp_probe_rtt_seconds_count{group=\"ipmp0\",interface=\"net1\"} 1");
        // The change's monotonic instant on the Unix time line (the fake clock's now, two scrapes earlier).
        var unix = _time.GetUtcNow().ToUnixTimeSeconds() - 1;
        Has(after, $"ipmp_last_change_timestamp_seconds{{group=\"ipmp0\",interface=\"net0\"}} {unix}");
        PromtoolAccepts(after);
    }

    [Fact]
    public void Probe_totals_only_grow_when_the_engine_takes_a_loss_back_or_counts_again()
    {
        _view = View(InterfaceState.Ok, true, 10, 2);
        Has(Scrape(), "ipmp_probes_lost_total{group=\"ipmp0\",interface=\"net0\"} 2");
        // A reply that had arrived before the deadline turns a loss back into an answer: the total stays.
        _view = View(InterfaceState.Ok, true, 12, 1);
        var text = Scrape();
        Has(text, "ipmp_probes_lost_total{group=\"ipmp0\",interface=\"net0\"} 2");
        Has(text, "ipmp_probes_sent_total{group=\"ipmp0\",interface=\"net0\"} 12");
        // The interface was removed and came back: the engine counts from 0 again, the total goes on.
        _view = View(InterfaceState.Ok, true, 3, 1);
        text = Scrape();
        Has(text, "ipmp_probes_sent_total{group=\"ipmp0\",interface=\"net0\"} 15");
        Has(text, "ipmp_probes_lost_total{group=\"ipmp0\",interface=\"net0\"} 3");
    }

    [Fact]
    public async Task A_loop_that_does_not_answer_serves_the_last_snapshot_and_is_counted()
    {
        _view = View(InterfaceState.Ok, true, 10, 0);
        Has(Scrape(), "ipmp_interface_active{group=\"ipmp0\",interface=\"net0\"} 1");
        var metrics = new IpmpMetrics(() => null, _time, $"ipmp-test-{Guid.NewGuid():N}");
        using var endpoint = MetricsEndpoint.Start(new IPEndPoint(IPAddress.Loopback, FreePort()), metrics, NullLogger.Instance);
        var text = await _http.GetStringAsync(endpoint.Url);
        Assert.True(text.Contains("ipmp_metrics_snapshot_timeouts_total{} 1\n"), text);
        Assert.DoesNotContain("ipmp_interface_active{", text);
        PromtoolAccepts(text);
        metrics.Dispose();
    }

    [Fact]
    public void The_endpoint_checks_itself()
    {
        Assert.True(_endpoint.Check(out var problem), problem);
    }

    [Theory]
    [InlineData("127.0.0.1:9464", true)]
    [InlineData("192.168.10.5:80", true)]
    [InlineData("0.0.0.0:9464", false)]
    [InlineData("[::1]:9464", false)]
    [InlineData("::1", false)]
    [InlineData("localhost:9464", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.0.0.1:0", false)]
    [InlineData("127.0.0.1:65536", false)]
    [InlineData("127.1:9464", false)]
    public void The_address_is_an_ipv4_literal_and_a_port(string text, bool ok)
    {
        Assert.Equal(ok, MetricsEndpoint.TryParse(text, out var ep, out var error));
        Assert.Equal(ok, ep is not null);
        Assert.Equal(ok, error is null);
    }

    /// <summary>promtool (Debian's prometheus package; .ci/run installs it) lints the exposition.</summary>
    internal static void PromtoolAccepts(string text)
    {
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        if (promtool is null)
        {
            Assert.Fail("promtool is not installed (apt-get install prometheus; .ci/run does)");
            return;
        }
        var psi = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"promtool check metrics: exit {p.ExitCode}\n{output.Result}{errors}\n--- input ---\n{text}");
    }

    public void Dispose()
    {
        _endpoint.Dispose();
        _metrics.Dispose();
        _http.Dispose();
    }
}
