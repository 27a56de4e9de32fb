using System.Diagnostics;
using System.Text;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figure 4: the daemon's resident memory (VmRSS) and CPU share (utime+stime over a window, after a warm-up)
/// idle with the 3-NIC group at the default FDT (10 s), and with 32 NICs in 8 groups probing at FDT 1 s;
/// and the wall time of `ipmp stat -i` as a whole process, start to exit. For the JIT build and, when a
/// NativeAOT binary is given, for it too.
/// </summary>
public static class FootprintBench
{
    public static void Run(BenchReport report, BenchPlan plan, string build, string? aot, TextWriter log, CancellationToken ct)
    {
        var section = $"4 footprint ({build})";
        using (var lab = new NamespaceLab(nics: 3))
        {
            lab.WriteStandardConfig(fdtMs: 10000);
            var threaded = lab.SwitchPortsInOwnThreads();
            using var daemon = new BenchDaemon(lab, aot);
            _ = Measure(report, section, "idle, 3 NICs, FDT 10 s", daemon.Pid, plan.FootprintWindow, ct, SwitchNote(threaded));
            StatWallTime(report, section, lab.SocketPath, plan.StatRuns, aot);
        }
        if (ct.IsCancellationRequested) return;
        using (var lab = new NamespaceLab(nics: 32))
        {
            WriteManyGroups(lab, groups: 8, fdtMs: 1000);
            var threaded = lab.SwitchPortsInOwnThreads();
            double daemonCpu;
            using (var daemon = new BenchDaemon(lab, aot))
            {
                Thread.Sleep(3000);
                var failed = lab.Log.Split('\n').Count(l => l.Contains("IP interface failure detected", StringComparison.Ordinal));
                daemonCpu = Measure(report, section, "32 NICs in 8 groups, FDT 1 s", daemon.Pid, plan.FootprintWindow, ct,
                    string.Join("; ", new[] { failed > 0 ? $"{failed} failure(s) logged while warming up" : null, SwitchNote(threaded) }.OfType<string>()) is { Length: > 0 } note ? note : null);
            }
            if (ct.IsCancellationRequested) return;
            // Then, on the same lab with the daemon gone, the floor over a window as long (after the same warm-up).
            using var floor = ProbeFloor.TryStart(lab, "192.168.10.1", TimeSpan.FromTicks(TimeSpan.FromMilliseconds(1000).Ticks / 7),
                TimeSpan.FromMilliseconds(10), plan.FootprintWindow + TimeSpan.FromSeconds(5),
                lab.Nics.Select((nic, i) => (nic, $"192.168.10.{10 + i}")), out var floorWhy);
            ReportFloor(report, section, floor, floorWhy, daemonCpu, plan.FootprintWindow, ct);
        }
    }

    /// <summary>Without ethtool the lab's switch and target work is billed to the daemon (see
    /// <see cref="NamespaceLab.SwitchPortsInOwnThreads"/>): the figure then overstates its CPU.</summary>
    private static string? SwitchNote(bool threaded) =>
        threaded ? null : "no ethtool: the switch's and the target's work ran in the daemon's sendmsg and is counted as its CPU";

    /// <summary>
    /// Figure 4's floor: what a minimal C prober (<see cref="ProbeFloor"/>) sending the same probes cost over the
    /// same seconds as the daemon, and the ratio. The 0.5 % target is below what the probes alone cost in a
    /// veth lab on this kind of machine (each send wakes the switch port's NAPI thread; each wake-up is paid
    /// to the hypervisor), so the ratio says how much the daemon adds to the probing itself.
    /// </summary>
    private static void ReportFloor(BenchReport report, string section, ProbeFloor? floor, string? why, double daemonCpu, TimeSpan window, CancellationToken ct)
    {
        const string what = "probe floor CPU, 32 NICs: a minimal C prober after the daemon (same lab, NICs, test addresses, target, 7 probes/s each, 10 ms grid)";
        if (floor is null)
        {
            report.Add(new Figure(section, what, "% of a core") { Unavailable = why ?? "the floor did not run" });
            return;
        }
        Thread.Sleep(3000);   // as the daemon's warm-up
        var cpu0 = ProcStat.CpuSeconds(floor.Pid);
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < window && !ct.IsCancellationRequested) Thread.Sleep(500);
        var floorCpu = (ProcStat.CpuSeconds(floor.Pid) - cpu0) / sw.Elapsed.TotalSeconds * 100;
        floor.WaitForExit(TimeSpan.FromSeconds(15));
        report.Add(new Figure(section, what, "% of a core") { Value = floorCpu, Note = floor.Result ?? "the floor printed no counts" });
        report.Add(new Figure(section, "ratio daemon / probe floor, 32 NICs", "ratio")
        {
            Value = floorCpu > 0 ? daemonCpu / floorCpu : null,
            Note = $"daemon {daemonCpu:F2} %, then floor {floorCpu:F2} %, windows of {window.TotalSeconds:F0} s one after the other",
        });
    }

    /// <returns>The daemon's CPU share.</returns>
    private static double Measure(BenchReport report, string section, string what, int pid, TimeSpan window, CancellationToken ct,
        string? note = null)
    {
        Thread.Sleep(3000); // JIT warm-up, first probes
        var cpu0 = ProcStat.CpuSeconds(pid);
        var sw = Stopwatch.StartNew();
        var rss = new List<double>();
        while (sw.Elapsed < window && !ct.IsCancellationRequested)
        {
            Thread.Sleep(1000);
            rss.Add(ProcStat.RssMiB(pid));
        }
        var cpu = (ProcStat.CpuSeconds(pid) - cpu0) / sw.Elapsed.TotalSeconds * 100;
        var r = Summary.Of(rss);
        report.Add(new Figure(section, $"daemon RSS, {what}", "MiB")
        {
            Stats = r, Target = "<= 30 MB", Met = r is null ? null : r.Max <= 30 * 1e6 / (1 << 20), Note = note,
        });
        report.Add(new Figure(section, $"daemon CPU, {what}", "% of a core")
        {
            Value = cpu, Target = "<= 0.5%", Met = cpu <= 0.5, Note = $"over {sw.Elapsed.TotalSeconds:F0} s",
        });
        return cpu;
    }

    private static void StatWallTime(BenchReport report, string section, string socket, int runs, string? aot)
    {
        var samples = new List<double>();
        string? error = null;
        for (var i = 0; i < runs + 1; i++)
        {
            var psi = aot is null ? new ProcessStartInfo("dotnet") : new ProcessStartInfo(aot);
            if (aot is null) psi.ArgumentList.Add(NamespaceLab.IpmpDll);
            foreach (var a in new[] { "stat", "-i", "--socket", socket }) psi.ArgumentList.Add(a);
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.UseShellExecute = false;
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            ProcessRegistry.Add(p);
            var output = p.StandardOutput.ReadToEnd();
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            sw.Stop();
            ProcessRegistry.Remove(p);
            if (p.ExitCode != 0 || !output.Contains("net0", StringComparison.Ordinal)) error = $"exit {p.ExitCode}: {err.Trim()}";
            if (i > 0) samples.Add(sw.Elapsed.TotalMilliseconds); // the first run warms the page cache
        }
        var s = Summary.Of(samples);
        report.Add(new Figure(section, "`ipmp stat -i` wall time (whole process)", "ms")
        {
            Stats = s, Samples = samples, Target = "<= 20 ms (median)", Met = s is null ? null : s.Median <= 20, Note = error,
        });
    }

    /// <summary>32 NICs: group gN holds net4N..net4N+3, each with a data address .150+i and a test address .10+i.</summary>
    public static void WriteManyGroups(NamespaceLab lab, int groups, int fdtMs)
    {
        var files = new Dictionary<string, string>();
        var perGroup = lab.Nics.Count / groups;
        for (var i = 0; i < lab.Nics.Count; i++)
        {
            var sb = new StringBuilder();
            sb.Append($"192.168.10.{150 + i}/24 group g{i / perGroup} up \\\n");
            sb.Append($"addif 192.168.10.{10 + i}/24 deprecated -failover up\n");
            files[$"hostname.{lab.Nics[i]}"] = sb.ToString();
        }
        lab.WriteConfig($"FAILURE_DETECTION_TIME={fdtMs}\nFAILBACK=yes\n", files);
    }
}
