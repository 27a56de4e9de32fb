using System.Diagnostics;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Host.Control;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figure 2: probe-based detection. net0's switch port stops forwarding (bridge port state disabled) while
/// carrier stays up; time from the switch kernel's report of the port's new state (rtnetlink in the switch's
/// namespace) to .50 added on another NIC (rtnetlink in the host's), as a ratio of FDT. Then the port forwards
/// again; time to .50 back on net0 (failback after repair), as a ratio of FDT.
/// With <paramref name="transitive"/> the same on a group without test addresses (TRANSITIVE_PROBING=yes):
/// net0 probes with ICMP from .50 and fails its role over; see <see cref="TransitiveStandbyBench"/> for the
/// standby, checked by link-layer probes only.
/// </summary>
public static class ProbeDetectionBench
{
    private const string Address = "192.168.10.50";

    /// <summary>net0 holds .50, net1 is active without a data address, net2 a standby; no test address.</summary>
    public static void WriteTransitiveConfig(NamespaceLab lab, int fdtMs) =>
        lab.WriteConfig($"FAILURE_DETECTION_TIME={fdtMs}\nFAILBACK=yes\nTRANSITIVE_PROBING=yes\n", new Dictionary<string, string>
        {
            ["hostname.net0"] = $"{Address}/24 group ipmp0 up\n",
            ["hostname.net1"] = "group ipmp0 up\n",
            ["hostname.net2"] = "group ipmp0 standby up\n",
        });

    public static void Run(BenchReport report, int fdtMs, int trials, string? aot, TextWriter log, CancellationToken ct,
        bool transitive = false)
    {
        var section = transitive ? $"2 transitive probing FDT {fdtMs} ms" : $"2 probe detection FDT {fdtMs} ms";
        using var lab = new NamespaceLab(nics: 3);
        if (transitive) WriteTransitiveConfig(lab, fdtMs);
        else lab.WriteStandardConfig(fdtMs);
        using var daemon = new BenchDaemon(lab, aot);
        var effective = EffectiveFdt(lab);
        if (fdtMs < 100)
        {
            var text = $"not supported: minimum FDT 100 ms (illumos MIN_FAILURE_DETECTION_TIME); the daemon clamps {fdtMs} ms and runs at {effective?.ToString() ?? "?"} ms";
            report.Add(new Figure(section, "detection / FDT", "ratio") { Unavailable = text, Target = "<= 1.0" });
            report.Add(new Figure(section, "repair / FDT", "ratio") { Unavailable = text, Target = "<= 2.0" });
            return;
        }
        var fdt = TimeSpan.FromMilliseconds(fdtMs);
        if (!LabWait.Holder(lab, Address, "net0", TimeSpan.FromSeconds(10))) throw new InvalidOperationException(lab.Describe());
        // Let the probes settle (targets found, RTT learned, the quiet period ended by a first reply).
        Thread.Sleep(fdt * 3 + TimeSpan.FromMilliseconds(500));
        using var events = new KernelEvents(lab.HostNs);
        var net0 = LabWait.ProcessIndex(lab, "net0");
        var detect = new List<double>();
        var repair = new List<double>();
        var failed = 0;
        // The port's state change as the switch's kernel reports it: the moment it really stopped (or started)
        // forwarding, not when the `bridge` command was started (its start-up took 10-40 ms on a busy machine,
        // which at FDT 100 ms alone is most of the margin). The command's start stays the fallback.
        using var switchEvents = new KernelEvents(lab.SwitchNs);
        var port = LabWait.IndexIn(lab.SwitchNs, NamespaceLab.Port("net0"));
        var spawn = new List<double>();
        for (var t = 0; t < trials && !ct.IsCancellationRequested; t++)
        {
            var mark = Stopwatch.GetTimestamp();
            lab.KillPort("net0");
            var dead = switchEvents.WaitFor(e => KernelEvents.PortState(e, port, 0), mark, TimeSpan.FromSeconds(2)) ?? mark;
            spawn.Add(LabWait.Ms(dead - mark));
            var moved = events.WaitFor(e => KernelEvents.AddressAdded(e, Address, i => i != net0), mark, fdt * 5 + TimeSpan.FromSeconds(2));
            if (moved is { } m) detect.Add(LabWait.Ms(m - dead) / fdtMs);
            var mark2 = Stopwatch.GetTimestamp();
            lab.RepairPort("net0");
            var alive = switchEvents.WaitFor(e => KernelEvents.PortState(e, port, 3), mark2, TimeSpan.FromSeconds(2)) ?? mark2;
            var back = events.WaitFor(e => KernelEvents.AddressAdded(e, Address, i => i == net0), mark2, fdt * 10 + TimeSpan.FromSeconds(3));
            if (back is { } b) repair.Add(LabWait.Ms(b - alive) / fdtMs);
            if (moved is null || back is null)
            {
                failed++;
                log.WriteLine($"    FDT {fdtMs} trial {t}: {(moved is null ? "no failover" : "")} {(back is null ? "no failback" : "")}");
                LabWait.Holder(lab, Address, "net0", fdt * 20);
            }
            Thread.Sleep(fdt + TimeSpan.FromMilliseconds(100));
            events.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 30);
            switchEvents.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 30);
        }
        var raised = LabWait.CountLines(lab.Log, "Cannot meet requested failure detection time");
        var note = $"daemon FDT {effective} ms; FDT raised {raised} time(s); from the switch's report of the port state" +
            (spawn.Count > 0 ? $" (the `bridge` command took {spawn.Average():F1} ms on average, {spawn.Max():F1} at most, to take effect)" : "") +
            (failed > 0 ? $"; {failed} trial(s) incomplete" : "");
        DetectionFigures.Add(report, section, "dead port -> address moved, / FDT", detect, "port back -> address home, / FDT", repair, note);
    }

    private static int? EffectiveFdt(NamespaceLab lab)
    {
        try
        {
            var client = new ControlClient(lab.SocketPath);
            var snap = client.SnapshotAsync().GetAwaiter().GetResult();
            var g = snap.Groups.FirstOrDefault(g => g.Name == "ipmp0");
            return g?.FailureDetectionTime is { } f ? (int)f.TotalMilliseconds : null;
        }
        catch (ControlException)
        {
            return null;
        }
    }
}
