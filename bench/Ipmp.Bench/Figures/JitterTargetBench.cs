using System.Diagnostics;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Probes;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Host.Control;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figure 8: false failures and LOST probes against a jittery target at FDT 1 s. The router (192.168.10.1,
/// the host's only gateway and so the group's only target: the other lab hosts ignore multicast echo) stops
/// answering in the kernel; a <see cref="DelayedEchoResponder"/> answers each echo after a uniform 0–20 ms.
/// The standard group (net0, net1 active, net2 standby, each with a test address) probes it for the run's
/// duration. Counted from the daemon's own word: interface failures it logged, and its probe events (SENT,
/// ACKED with the RTT it recorded, LOST); data-address moves from rtnetlink; the responder's counts show that
/// every request was answered (a drop there would be a real loss, not a false one).
/// </summary>
public static class JitterTargetBench
{
    public const string Section = "8 jittery target FDT 1 s";
    public const string Target = "192.168.10.1";
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(20);

    public static void Run(BenchReport report, TimeSpan duration, int seed, string? daemonProgram, TextWriter log, CancellationToken ct)
    {
        using var lab = new NamespaceLab(nics: 3);
        lab.WriteStandardConfig(fdtMs: 1000);
        using var responder = new DelayedEchoResponder(lab.RouterNs, [Target], new UniformJitter(TimeSpan.Zero, MaxDelay, seed));
        using var daemon = new BenchDaemon(lab, daemonProgram);
        if (!LabWait.Holder(lab, "192.168.10.50", "net0", TimeSpan.FromSeconds(10))) throw new InvalidOperationException(lab.Describe());
        var tally = new ProbeTally();
        using var stream = new ProbeEventStream(lab.SocketPath, tally);

        // Settle: every member has had an answer (its quiet period is over), the estimators have samples, and
        // the group runs at the FDT asked for: a slow first sample (ARP, a cold start) can raise it for 60 s.
        var settle = Stopwatch.StartNew();
        while (!lab.Nics.All(tally.HasAnswer) || EffectiveFdtMs(lab) != 1000)
        {
            if (settle.Elapsed > TimeSpan.FromSeconds(150))
                throw new TimeoutException($"not settled within 150 s (FDT {EffectiveFdtMs(lab)} ms)\n" + lab.Describe());
            Thread.Sleep(200);
        }
        Thread.Sleep(TimeSpan.FromSeconds(5));
        var settled = settle.Elapsed;
        var raisedSettling = LabWait.CountLines(lab.Log, "Cannot meet requested failure detection time");

        var logBefore = lab.Log;
        using var events = new KernelEvents(lab.HostNs);
        var targetBefore = responder.Counters;
        var start = Stopwatch.GetTimestamp();
        var cpuStart = Process.GetProcessById(daemon.Pid).TotalProcessorTime;
        tally.Open();
        var sw = Stopwatch.StartNew();
        var nextReport = TimeSpan.FromMinutes(1);
        // The machine is shared: the load during the run says how much scheduling noise the figure carries.
        var loads = new List<double> { LoadAverage() };
        var nextLoad = TimeSpan.FromSeconds(10);
        while (sw.Elapsed < duration && !ct.IsCancellationRequested && daemon.Running && stream.Ended is null)
        {
            Thread.Sleep(200);
            if (sw.Elapsed >= nextLoad)
            {
                loads.Add(LoadAverage());
                nextLoad += TimeSpan.FromSeconds(10);
            }
            if (sw.Elapsed >= nextReport)
            {
                var c = tally.Counts;
                log.WriteLine($"    {sw.Elapsed.TotalMinutes:F0} min: sent {c.Sent}, acked {c.Acked}, LOST {c.LostEvents}");
                nextReport += TimeSpan.FromMinutes(1);
            }
        }
        tally.Close();
        var elapsed = Stopwatch.GetElapsedTime(start);
        var targetAfter = responder.Counters;
        var running = daemon.Running;
        var daemonCpu = running ? (Process.GetProcessById(daemon.Pid).TotalProcessorTime - cpuStart).TotalMilliseconds / elapsed.TotalMilliseconds * 100 : double.NaN;
        var ended = stream.Ended;
        var counts = tally.Counts;
        var newLog = lab.Log[logBefore.Length..];
        var failures = LabWait.CountLines(newLog, "IP interface failure detected");
        var failuresSettling = LabWait.CountLines(logBefore, "IP interface failure detected");
        var moves = events.Count(e => e is RawNetlink.Address a && a.Value.ToString() is "192.168.10.50" or "192.168.10.51", start);
        var raised = LabWait.CountLines(newLog, "Cannot meet requested failure detection time");

        var partial = new List<string>();
        if (elapsed < duration * 0.99) partial.Add($"stopped after {elapsed.TotalSeconds:F0} s of {duration.TotalSeconds:F0} s");
        if (!running) partial.Add("the daemon exited");
        if (ended is not null) partial.Add("probe event stream ended: " + ended);
        var onlyTarget = counts.Targets.All(t => t == Target);
        var daemonText = daemonProgram ?? "this build (JIT)";
        var note = $"{elapsed.TotalSeconds:F0} s; daemon {daemonText}; jitter uniform 0-{MaxDelay.TotalMilliseconds:F0} ms, seed {seed}; " +
            $"targets probed: {string.Join(", ", counts.Targets)}; settled in {settled.TotalSeconds:F0} s (failures {failuresSettling}, FDT raised {raisedSettling}); " +
            $"load average (1 min) mean {loads.Average():F1}, max {loads.Max():F1} on {Environment.ProcessorCount} CPUs; daemon CPU {daemonCpu:F2}% of a core" +
            (partial.Count > 0 ? "; PARTIAL: " + string.Join("; ", partial) : "");

        report.Add(new Figure(Section, "interface failures logged", "count") { Value = failures, Target = "0", Met = failures == 0 && partial.Count == 0, Note = note });
        report.Add(new Figure(Section, "data-address moves (netlink)", "count") { Value = moves, Target = "0", Met = moves == 0 });
        report.Add(new Figure(Section, "FDT raised (too slow targets)", "count") { Value = raised });
        report.Add(new Figure(Section, "probes sent (daemon probe events)", "count")
        {
            Value = counts.Sent,
            Met = onlyTarget ? null : false,
            Note = onlyTarget ? null : "other targets than the jittery one were probed: " + string.Join(", ", counts.Targets),
        });
        report.Add(new Figure(Section, "probes ACKED", "count") { Value = counts.Acked });
        var lostShare = counts.Sent > 0 ? 100.0 * counts.LostEvents / counts.Sent : double.NaN;
        report.Add(new Figure(Section, "LOST probe events", "count")
        {
            Value = counts.LostEvents,
            Note = $"{lostShare:F3} % of sent; {counts.LateAcked} later turned ACKED by a late reply, {counts.StillLost} stayed LOST",
        });
        report.Add(new Figure(Section, "LOST and never answered", "count") { Value = counts.StillLost });
        var negative = counts.RttMs.Count(r => r < 0);
        var estimator = counts.LastRttAverage is { } avg
            ? $"; estimator at the end: average {avg.TotalMilliseconds:F2} ms, deviation {counts.LastRttDeviation?.TotalMilliseconds:F2} ms"
            : "";
        report.Add(new Figure(Section, "RTT the daemon recorded (ack kernel stamp - send)", "ms")
        {
            Stats = Summary.Of(counts.RttMs),
            Note = $"{negative} negative sample(s){estimator}",
        });
        var applied = Diff(targetBefore, targetAfter);
        report.Add(new Figure(Section, "target: delay applied (1 ms buckets)", "ms")
        {
            Value = applied.DelayPercentileMs(50),
            Note = $"requests {applied.Requests}, replies {applied.Replies}, dropped (queue full) {applied.Dropped}, send errors {applied.SendErrors}; " +
                $"p99 bucket {applied.DelayPercentileMs(99)} ms, max bucket {MaxBucket(applied)} ms; latest reply {targetAfter.MaxLateMs:F2} ms after its due time; " +
                $"replies at {Beyond} ms or later (past the range, late by the target host scheduling): {Tail(applied)}",
        });
        log.WriteLine($"    {note}");
        log.WriteLine($"    failures {failures}, moves {moves}, sent {counts.Sent}, acked {counts.Acked}, LOST {counts.LostEvents} " +
            $"(late-acked {counts.LateAcked}, still lost {counts.StillLost}); target replies {applied.Replies}, dropped {applied.Dropped}");
    }

    private static int? EffectiveFdtMs(NamespaceLab lab)
    {
        try
        {
            var snap = new ControlClient(lab.SocketPath).SnapshotAsync().GetAwaiter().GetResult();
            return snap.Groups.FirstOrDefault(g => g.Name == "ipmp0")?.FailureDetectionTime is { } f ? (int)f.TotalMilliseconds : null;
        }
        catch (ControlException)
        {
            return null;
        }
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static EchoResponderCounters Diff(EchoResponderCounters a, EchoResponderCounters b) => new(
        b.Requests - a.Requests, b.Replies - a.Replies, b.Dropped - a.Dropped, b.SendErrors - a.SendErrors, b.Ignored - a.Ignored,
        [.. b.DelayHistogramMs.Zip(a.DelayHistogramMs, (x, y) => x - y)], b.MaxLateMs);

    /// <summary>The first 1 ms bucket past the jitter range (bucket 20 holds 20.0-20.99 ms).</summary>
    private static int Beyond => (int)MaxDelay.TotalMilliseconds + 1;

    /// <summary>"count (bucket:count ...)" of the replies at <see cref="Beyond"/> ms or later.</summary>
    private static string Tail(EchoResponderCounters c)
    {
        var tail = c.DelayHistogramMs.Select((n, ms) => (ms, n)).Where(b => b.ms >= Beyond && b.n > 0).ToList();
        return tail.Count == 0 ? "0" : $"{tail.Sum(b => b.n)} ({string.Join(' ', tail.Select(b => $"{b.ms}:{b.n}"))})";
    }

    private static int? MaxBucket(EchoResponderCounters c)
    {
        for (var i = c.DelayHistogramMs.Count - 1; i >= 0; i--)
            if (c.DelayHistogramMs[i] > 0) return i;
        return null;
    }
}
