using System.CommandLine;
using System.Runtime.InteropServices;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Results;

namespace Ipmp.Bench;

/// <summary><c>ipmp bench [--quick] [--output FILE] [--aot PATH] [--only 1,5]</c>: the benchmarks of issue 5.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "Fewer trials and shorter runs (within 10 minutes)" };
        var output = new Option<string?>("--output") { Description = "JSON file to write (default bench/results/bench-<date>.json)" };
        var aot = new Option<string?>("--aot") { Description = "A NativeAOT ipmp binary to measure as well (footprint)" };
        var only = new Option<string?>("--only") { Description = "Comma-separated figure numbers to run (1-7); default all" };
        var command = new Command("bench", "Benchmarks: failover speed, detection, false failures, footprint, scale, peers (root; builds its own namespace lab)")
        {
            quick, output, aot, only,
        };
        command.SetAction(parse =>
        {
            var plan = parse.GetValue(quick) ? BenchPlan.QuickPlan : BenchPlan.Full;
            var figures = (parse.GetValue(only) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(int.Parse).ToHashSet();
            var aotPath = parse.GetValue(aot) is { } a ? Path.GetFullPath(a) : null;
            return Run(plan, figures, aotPath, parse.GetValue(output));
        });
        return command;
    }

    private static int Run(BenchPlan plan, ISet<int> only, string? aot, string? output)
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
            var report = new BenchRunner(plan, only, aot, log).Run(cts.Token);
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
