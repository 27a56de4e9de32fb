using System.Diagnostics;
using Ipmp.Bench.Figures;
using Ipmp.Bench.Peers;
using Ipmp.Bench.Results;
using Ipmp.Bench.Sim;
using Ipmp.Bench.Load;
using Ipmp.Bench.Stats;

namespace Ipmp.Bench;

/// <summary>Runs the figures in order; a figure that throws is reported as unavailable and the run goes on.</summary>
/// <param name="daemon">Figure 8's daemon: another build's ipmp.dll or binary (before/after figures); null: --aot or this build.</param>
public sealed class BenchRunner(BenchPlan plan, ISet<int> only, string? aot, TextWriter log, string? daemon = null, int jitterSeed = 20261202)
{
    public BenchReport Run(CancellationToken ct)
    {
        var report = new BenchReport { Quick = plan.Quick, Machine = MachineInfo.Collect() };
        var clock = Stopwatch.StartNew();
        var root = Environment.UserName == "root" || geteuid() == 0;
        if (!root) report.Notes.Add("not root: the namespace-lab figures (1-4, 6-8) were skipped");

        if (Want(1) || Want(6)) Section(report, "1 link failover", root, ct, () => LinkFailover(report, ct));
        if (Want(2))
        {
            foreach (var fdt in new[] { 1000, 100, 50 })
                Section(report, $"2 probe detection FDT {fdt} ms", root, ct, () => ProbeDetectionBench.Run(report, fdt, plan.ProbeTrials, aot, log, ct));
            // Beside them, the same without test addresses (TRANSITIVE_PROBING=yes): the ICMP prober's port, then a standby's.
            foreach (var fdt in new[] { 1000, 100 })
            {
                Section(report, $"2 transitive probing FDT {fdt} ms", root, ct,
                    () => ProbeDetectionBench.Run(report, fdt, plan.ProbeTrials, aot, log, ct, transitive: true));
                Section(report, $"2 transitive probing FDT {fdt} ms", root, ct,
                    () => TransitiveStandbyBench.Run(report, fdt, plan.ProbeTrials, aot, log, ct));
            }
        }
        if (Want(3)) Section(report, "3 false failures FDT 100 ms", root, ct, () => FalseFailureBench.Run(report, plan.FalseFailureDuration, aot, log, ct));
        if (Want(4))
        {
            Section(report, "4 footprint (JIT)", root, ct, () => FootprintBench.Run(report, plan, "JIT", null, log, ct));
            if (aot is not null) Section(report, "4 footprint (NativeAOT)", root, ct, () => FootprintBench.Run(report, plan, "NativeAOT", aot, log, ct));
            else report.Add(new Results.Figure("4 footprint (NativeAOT)", "NativeAOT build", "")
            {
                Unavailable = "not measured: pass --aot PATH (dotnet publish src/Ipmp.Cli -c Release -r linux-x64 -p:PublishAot=true)",
            });
        }
        if (Want(7)) Section(report, "7 link failover under route churn", root, ct, () => RouteChurnFailover(report, ct));
        if (Want(8)) Section(report, JitterTargetBench.Section, root, ct, () => JitterTargetBench.Run(report, plan.JitterDuration, jitterSeed, daemon ?? aot, log, ct));
        if (Want(5))
        {
            Section(report, "5 sim", true, ct, () => SimScaleBench.Run(report,
                new SimScaleBench.Case("1024 NICs/256 groups FDT 10 s", 1024, 256, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), plan.SimMeasureLarge), log));
            Section(report, "5 sim", true, ct, () => SimScaleBench.Run(report,
                new SimScaleBench.Case("64 NICs FDT 100 ms", 64, 16, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), plan.SimMeasureFast), log));
        }
        report.Duration = clock.Elapsed;
        return report;
    }

    private bool Want(int figure) => only.Count == 0 || only.Contains(figure);

    private void LinkFailover(BenchReport report, CancellationToken ct)
    {
        log.WriteLine($"  ipmp: {plan.OurLinkTrials} cable pulls");
        var ours = LinkFailoverBench.Run(new OurDaemon(aot), plan.OurLinkTrials, log, ct);
        LinkFailoverBench.Report(report, ours, ours: true);
        if (!Want(6)) return;
        string installed;
        try
        {
            installed = PeerInstaller.EnsureInstalled(log);
            report.Notes.Add("peers: " + installed);
        }
        catch (Exception e)
        {
            foreach (var name in new[] { "ifplugd", "keepalived" })
                report.Add(new Results.Figure($"6 peer {name}", "link failover", "ms") { Unavailable = "could not install: " + e.Message });
            return;
        }
        foreach (var peer in new IFailoverSubject[] { new IfplugdPeer(), new KeepalivedPeer() })
        {
            if (ct.IsCancellationRequested) return;
            log.WriteLine($"  {peer.Name}: {plan.LinkTrials} cable pulls");
            try
            {
                var theirs = LinkFailoverBench.Run(peer, plan.LinkTrials, log, ct);
                LinkFailoverBench.Report(report, theirs, ours: false);
                LinkFailoverBench.ReportRatio(report, ours, theirs);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                report.Add(new Results.Figure($"6 peer {peer.Name}", "link failover", "ms") { Unavailable = "could not run: " + First(e.Message) });
            }
        }
    }

    /// <summary>Figure 7: cable pulls while 200,000 routes sit in another table and a block of them churns.</summary>
    private void RouteChurnFailover(BenchReport report, CancellationToken ct)
    {
        const int routes = 200_000, block = 5_000;
        log.WriteLine($"  ipmp: {plan.OurLinkTrials} cable pulls with {routes} routes in table {RouteChurn.Table}, {block} of them churning");
        long batches = 0;
        var s = LinkFailoverBench.Run(new OurDaemon(aot), plan.OurLinkTrials, log, ct, lab =>
        {
            var churn = new RouteChurn(lab.HostNs, routes, block);
            return new Disposer(() =>
            {
                batches = churn.Batches;
                churn.Dispose();
            });
        });
        var move = Summary.Of(s.Move);
        report.Add(new Results.Figure("7 link failover under route churn", "carrier lost -> address on new NIC (netlink)", "ms")
        {
            Stats = move, Samples = s.Move,
            Target = "p99 <= 2 ms", Met = move is not null ? move.P99 <= 2.0 : null,
            Note = $"{routes} routes in table {RouteChurn.Table}; {batches} churn rounds of {block} deletes + {block} adds during the trials"
                + (s.Failed > 0 ? $"; {s.Failed} trial(s) failed" : "") + (s.Error is null ? "" : "; " + s.Error),
        });
        var garp = Summary.Of(s.Garp);
        report.Add(new Results.Figure("7 link failover under route churn", "carrier lost -> first GARP on the wire", "ms")
        {
            Stats = garp, Samples = s.Garp,
        });
    }

    private sealed class Disposer(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private void Section(BenchReport report, string name, bool allowed, CancellationToken ct, Action body)
    {
        if (ct.IsCancellationRequested) return;
        if (!allowed)
        {
            report.Add(new Results.Figure(name, "(all)", "") { Unavailable = "needs root (network namespaces)" });
            return;
        }
        var sw = Stopwatch.StartNew();
        log.WriteLine($"bench: {name}...");
        try
        {
            body();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.WriteLine($"  failed: {e}");
            report.Add(new Results.Figure(name, "(all)", "") { Unavailable = "failed: " + First(e.Message) });
        }
        log.WriteLine($"  ({sw.Elapsed.TotalSeconds:F0} s)");
    }

    private static string First(string message) => message.Split('\n')[0];

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
