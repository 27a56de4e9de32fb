using System.Collections.Concurrent;
using System.Diagnostics;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Host.Control;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figure 2, transitive probing on a standby: no address moves, so the time is from the switch kernel's
/// report of net2's port state (as for the other figure 2 trials; the `bridge` command's start is the
/// fallback) to the daemon's interface-failed change for net2 (its event stream, read as it arrives), and from
/// the port's repair to interface-repaired, as ratios of FDT.
/// </summary>
public static class TransitiveStandbyBench
{
    public static void Run(BenchReport report, int fdtMs, int trials, string? aot, TextWriter log, CancellationToken ct)
    {
        var section = $"2 transitive probing FDT {fdtMs} ms";
        using var lab = new NamespaceLab(nics: 3);
        ProbeDetectionBench.WriteTransitiveConfig(lab, fdtMs);
        using var daemon = new BenchDaemon(lab, aot);
        var fdt = TimeSpan.FromMilliseconds(fdtMs);
        if (!LabWait.Holder(lab, "192.168.10.50", "net0", TimeSpan.FromSeconds(10))) throw new InvalidOperationException(lab.Describe());
        Thread.Sleep(fdt * 3 + TimeSpan.FromMilliseconds(500));

        // The change stream, stamped on arrival; read by a task this method owns and ends.
        var changes = new BlockingCollection<(string Kind, long At)>(1024);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(async () =>
        {
            await using var sub = await new ControlClient(lab.SocketPath).SubscribeAsync(probes: false, changes: true, stop.Token);
            await foreach (var e in sub.ReadAllAsync(stop.Token))
                if (e.Change is { Interface: "net2" } c) changes.TryAdd((c.Kind, Stopwatch.GetTimestamp()));
        }, stop.Token);

        var detect = new List<double>();
        var repair = new List<double>();
        var failed = 0;
        using var switchEvents = new KernelEvents(lab.SwitchNs);
        var port = LabWait.IndexIn(lab.SwitchNs, NamespaceLab.Port("net2"));
        try
        {
            for (var t = 0; t < trials && !ct.IsCancellationRequested; t++)
            {
                while (changes.TryTake(out _)) { }
                var mark = Stopwatch.GetTimestamp();
                lab.KillPort("net2");
                var down = WaitFor(changes, "interface-failed", fdt * 5 + TimeSpan.FromSeconds(2));
                var dead = switchEvents.WaitFor(e => KernelEvents.PortState(e, port, 0), mark, TimeSpan.FromSeconds(2)) ?? mark;
                if (down is { } d) detect.Add(LabWait.Ms(d - dead) / fdtMs);
                var mark2 = Stopwatch.GetTimestamp();
                lab.RepairPort("net2");
                var up = WaitFor(changes, "interface-repaired", fdt * 10 + TimeSpan.FromSeconds(3));
                var alive = switchEvents.WaitFor(e => KernelEvents.PortState(e, port, 3), mark2, TimeSpan.FromSeconds(2)) ?? mark2;
                if (up is { } u) repair.Add(LabWait.Ms(u - alive) / fdtMs);
                if (down is null || up is null)
                {
                    failed++;
                    log.WriteLine($"    transitive standby FDT {fdtMs} trial {t}: {(down is null ? "not failed" : "")} {(up is null ? "not repaired" : "")}");
                }
                Thread.Sleep(fdt + TimeSpan.FromMilliseconds(100));
                switchEvents.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 30);
            }
        }
        finally
        {
            stop.Cancel();
            try { reader.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        }
        var note = "standby net2, link-layer probes to net0; from the switch's report of the port state" + (failed > 0 ? $"; {failed} trial(s) incomplete" : "");
        DetectionFigures.Add(report, section, "dead port on the standby -> failed, / FDT", detect, "port back -> standby repaired, / FDT", repair, note);
    }

    private static long? WaitFor(BlockingCollection<(string Kind, long At)> changes, string kind, TimeSpan timeout)
    {
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var left = TimeSpan.FromSeconds((until - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (left <= TimeSpan.Zero || !changes.TryTake(out var c, left)) return null;
            if (c.Kind == kind) return c.At;
        }
    }
}
