using System.Diagnostics;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Load;
using Ipmp.Bench.Results;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figure 3: false failures at FDT 100 ms under load. UDP blasters (1400-byte datagrams, as fast as the
/// threads can send) from the client to both data addresses and from the host namespace to the client and
/// router, plus one busy thread per core, all bounded by the run's duration. Counted: interface failures
/// the daemon logged, data-address moves seen on rtnetlink, FDT raises.
/// </summary>
public static class FalseFailureBench
{
    public static void Run(BenchReport report, TimeSpan duration, string? aot, TextWriter log, CancellationToken ct)
    {
        const string section = "3 false failures FDT 100 ms";
        using var lab = new NamespaceLab(nics: 3);
        lab.WriteStandardConfig(fdtMs: 100);
        using var daemon = new BenchDaemon(lab, aot);
        if (!LabWait.Holder(lab, "192.168.10.50", "net0", TimeSpan.FromSeconds(10))) throw new InvalidOperationException(lab.Describe());
        Thread.Sleep(1000);
        var logBefore = lab.Log;
        using var events = new KernelEvents(lab.HostNs);
        var start = Stopwatch.GetTimestamp();
        var cpuStart = Process.GetProcessById(daemon.Pid).TotalProcessorTime;
        long sent;
        using (var toHost = new UdpBlaster(lab.ClientNs, ["192.168.10.50", "192.168.10.51"], 2))
        using (var toClient = new UdpBlaster(lab.HostNs, ["192.168.10.100", "192.168.10.1"], 1))
        using (var cpu = new CpuBurner(duration))
        {
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < duration && !ct.IsCancellationRequested)
            {
                Thread.Sleep(500);
                events.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 3600);
            }
            sent = toHost.Sent + toClient.Sent;
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        var daemonCpu = Process.GetProcessById(daemon.Pid).TotalProcessorTime - cpuStart;
        var newLog = lab.Log[logBefore.Length..];
        var failures = LabWait.CountLines(newLog, "IP interface failure detected");
        var moves = events.Count(e => e is RawNetlink.Address a && a.Value.ToString() is "192.168.10.50" or "192.168.10.51", start);
        var raised = LabWait.CountLines(newLog, "Cannot meet requested failure detection time");
        var gbits = sent * 1400 * 8 / elapsed.TotalSeconds / 1e9;
        var load = $"{elapsed.TotalSeconds:F0} s; {sent / elapsed.TotalSeconds / 1000:F0} k datagrams/s ({gbits:F2} Gbit/s UDP payload) + {Environment.ProcessorCount} busy threads; daemon CPU {daemonCpu.TotalMilliseconds / elapsed.TotalMilliseconds * 100:F1}% of a core";
        report.Add(new Figure(section, "interface failures logged", "count") { Value = failures, Target = "0", Met = failures == 0, Note = load });
        report.Add(new Figure(section, "data-address moves (netlink)", "count") { Value = moves, Target = "0", Met = moves == 0 });
        report.Add(new Figure(section, "FDT raised (too slow targets)", "count") { Value = raised });
        log.WriteLine($"    {load}; failures {failures}, moves {moves}, FDT raised {raised}");
    }
}
