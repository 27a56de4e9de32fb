using System.Diagnostics;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Bench.Sim;

/// <summary>
/// Figure 5: the engine at scale on the simulated link (no root). Drives the simulation with its own loop
/// (the same steps as Simulation.RunUntil) so that only the engine's calls (Handle, OnTimer, NextWakeup)
/// are timed, not the simulated network. Probe send times come from the engine's probe observer.
/// </summary>
public static class SimScaleBench
{
    public sealed record Case(string Name, int Nics, int Groups, TimeSpan Fdt, TimeSpan Warmup, TimeSpan Measure);

    public static void Run(BenchReport report, Case c, TextWriter log)
    {
        log.WriteLine($"  sim {c.Name}: {c.Nics} NICs in {c.Groups} groups, FDT {c.Fdt.TotalMilliseconds} ms, {c.Measure.TotalSeconds} s simulated");
        var config = BuildConfig(c);
        var sim = new Simulation.Simulation(config, n =>
        {
            for (var i = 0; i < c.Nics; i++) n.AddNic($"net{i}");
            n.AddRouter("router", "192.168.10.1");
            n.AddHost("client", "192.168.10.100");
        }, seed: 11);
        sim.RunFor(c.Warmup);

        var sends = new Dictionary<string, List<double>>();
        sim.RecordProbes = true;
        sim.Probes.Clear();
        var engineTicks = 0L;
        var wakeTicks = 0L;
        var timerTicks = 0L;
        var start = sim.Now;
        var end = start + c.Measure;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            var wake = sim.Engine.NextWakeup;
            wakeTicks += Stopwatch.GetTimestamp() - t0;
            var next = Min(sim.Scheduler.NextAt, wake);
            if (next is null || next > end) break;
            if (next > sim.Clock.Now) sim.Clock.AdvanceTo(next.Value);
            sim.Scheduler.RunDue(sim.Clock.Now);
            engineTicks += Deliver(sim);
            if (sim.Engine.NextWakeup is { } w && w <= sim.Clock.Now)
            {
                t0 = Stopwatch.GetTimestamp();
                sim.Engine.OnTimer();
                timerTicks += Stopwatch.GetTimestamp() - t0;
                engineTicks += Deliver(sim);
            }
            if (sim.Probes.Count > 4096) Collect(sim, sends);
        }
        Collect(sim, sends);
        wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;

        var interval = c.Fdt.TotalMilliseconds / 7;
        var errors = new List<double>();
        var ratios = new List<double>();
        foreach (var times in sends.Values)
        {
            errors.AddRange(ScheduleError.Of(times, interval));
            ratios.Add(ScheduleError.RateRatio(times, interval));
        }
        var simSeconds = c.Measure.TotalSeconds;
        var handleMs = engineTicks * 1000.0 / Stopwatch.Frequency;
        var wakeMs = wakeTicks * 1000.0 / Stopwatch.Frequency;
        var timerMs = timerTicks * 1000.0 / Stopwatch.Frequency;
        var engineMs = handleMs + wakeMs + timerMs;
        var section = $"5 sim {c.Name}";
        var missed = sim.Engine.Counters.MissedProbeSlots;
        report.Add(new Figure(section, "probe schedule error (outside the illumos slot window)", "ms")
        {
            Stats = Summary.Of(errors),
            Note = $"{errors.Count + sends.Count} probes from {sends.Count} NICs over {simSeconds} simulated s; missed slots {missed}",
        });
        report.Add(new Figure(section, "probes sent / probes scheduled, per NIC", "ratio") { Stats = Summary.Of(ratios) });
        report.Add(new Figure(section, "engine time per simulated second", "ms/s")
        {
            Value = engineMs / simSeconds,
            Note = $"engine {engineMs:F0} ms (Handle {handleMs:F0}, OnTimer {timerMs:F0}, NextWakeup {wakeMs:F0}), whole simulation (engine + simulated link) wall {wall.ElapsedMilliseconds} ms, process CPU {cpu.TotalMilliseconds:F0} ms, for {simSeconds} simulated s",
        });
        log.WriteLine($"    {errors.Count} probes, engine {engineMs / simSeconds:F2} ms per simulated s");
    }

    private static long Deliver(Simulation.Simulation sim)
    {
        var ticks = 0L;
        while (sim.Network.Events.TryDequeue(out var e))
        {
            var t0 = Stopwatch.GetTimestamp();
            sim.Engine.Handle(e);
            ticks += Stopwatch.GetTimestamp() - t0;
        }
        return ticks;
    }

    private static void Collect(Simulation.Simulation sim, Dictionary<string, List<double>> sends)
    {
        foreach (var p in sim.Probes)
        {
            if (p.State != ProbeEventState.Sent) continue;
            if (!sends.TryGetValue(p.Interface, out var list)) sends[p.Interface] = list = [];
            list.Add(p.Sent.TotalMilliseconds);
        }
        sim.Probes.Clear();
        sim.Network.Journal.Clear();
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>NICs net0.. in groups g0.. of equal size; each has an IPv4 test address and a data address,
    /// all in 192.168.0.0/16 so that the router (192.168.10.1) is an on-link target of every group.</summary>
    public static IpmpConfig BuildConfig(Case c)
    {
        var perGroup = c.Nics / c.Groups;
        var nics = new List<InterfaceConfig>();
        var groups = new List<GroupConfig>();
        for (var g = 0; g < c.Groups; g++) groups.Add(new GroupConfig($"g{g}", []));
        for (var i = 0; i < c.Nics; i++)
        {
            var test = IpPrefix.Parse($"192.168.{20 + i / 250}.{i % 250 + 1}/16");
            var data = IpPrefix.Parse($"192.168.{100 + i / 250}.{i % 250 + 1}/16");
            nics.Add(new InterfaceConfig($"net{i}", $"g{i / perGroup}", false, [data], test, false));
        }
        return new IpmpConfig(new DaemonSettings(c.Fdt, true, true), [.. groups], [.. nics]);
    }
}
