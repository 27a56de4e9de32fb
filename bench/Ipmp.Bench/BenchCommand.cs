using System.CommandLine;
using System.Runtime.InteropServices;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;

namespace Ipmp.Bench;

/// <summary><c>ipmp bench [--quick] [--output FILE] [--aot PATH] [--only 1,5] [--daemon PATH] [--jitter-seconds N]</c>:
/// the benchmarks of issue 5, and figure 8 of issue 9 (a jittery target).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer trials and shorter runs (within 10 minutes)" };
        var output = new Option<string?>("--output") { Description = "JSON file to write (default bench/results/bench-<date>.json)" };
        var aot = new Option<string?>("--aot") { Description = "A NativeAOT ipmp binary to measure as well (footprint)" };
        var only = new Option<string?>("--only") { Description = "Comma-separated figure numbers to run (1-8); default all" };
        var daemon = new Option<string?>("--daemon")
        {
            Description = "Figure 8 runs the daemon of this ipmp CLI (an ipmp.dll, run with dotnet, or an executable), e.g. an older commit's build; default --aot or this build",
        };
        var jitterSeconds = new Option<int?>("--jitter-seconds") { Description = "Figure 8's duration (default 600, --quick 60)" };
        var jitterSeed = new Option<int>("--jitter-seed") { Description = "Seed of figure 8's random delays", DefaultValueFactory = _ => 20261202 };
        var command = new Command("bench", "Benchmarks: failover speed, detection, false failures, footprint, scale, peers, jittery target (root; builds its own namespace lab)")
        {
            quick, output, aot, only, daemon, jitterSeconds, jitterSeed,
        };
        command.SetAction(parse =>
        {
            var plan = parse.GetValue(quick) ? BenchPlan.QuickPlan : BenchPlan.Full;
            if (parse.GetValue(jitterSeconds) is { } seconds) plan = plan with { JitterDuration = TimeSpan.FromSeconds(seconds) };
            var figures = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(int.Parse).ToHashSet();
            var aotPath = parse.GetValue(aot) is { } a ? Path.GetFullPath(a) : null;
            var daemonPath = parse.GetValue(daemon) is { } d ? Path.GetFullPath(d) : null;
            return Run(plan, figures, aotPath, daemonPath, parse.GetValue(jitterSeed), parse.GetValue(output));
        });
        return command;
    }

    private static int Run(BenchPlan plan, ISet<int> only, string? aot, string? daemon, int jitterSeed, string? output)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // let every lab's finally run
            Console.Error.WriteLine("bench: interrupted, cleaning up...");
            cts.Cancel();
            ProcessRegistry.KillAll();
        };
        Console.CancelKeyPress += onCancel;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            cts.Cancel();
            ProcessRegistry.KillAll();
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => ProcessRegistry.KillAll();
        try
        {
            var log = Console.Error;
            log.WriteLine($"bench: {(plan.Quick ? "quick" : "full")} run; {Environment.ProcessorCount} CPUs");
            var report = new BenchRunner(plan, only, aot, log, daemon, jitterSeed).Run(cts.Token);
            if (cts.IsCancellationRequested) report.Notes.Add("interrupted: figures are partial");
            var path = ReportJson.Write(report, output ?? DefaultOutput(report.Started));
            Console.WriteLine(ReportTable.Render(report));
            foreach (var n in report.Notes) Console.WriteLine("note: " + n);
            Console.WriteLine($"bench: {report.Duration.TotalMinutes:F1} min; figures written to {path}");
            return cts.IsCancellationRequested ? 130 : 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            ProcessRegistry.KillAll();
        }
    }

    /// <summary>bench/results/bench-DATE.json under the repository root (found from the working directory), or the working directory.</summary>
    private static string DefaultOutput(DateTimeOffset started)
    {
        var dir = new DirectoryInfo(Environment.CurrentDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Ipmp.slnx"))) dir = dir.Parent;
        var root = dir?.FullName ?? Environment.CurrentDirectory;
        return Path.Combine(root, "bench", "results", $"bench-{started:yyyyMMdd-HHmmss}.json");
    }
}
