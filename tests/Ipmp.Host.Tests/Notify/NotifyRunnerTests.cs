using System.Diagnostics;
using Ipmp.Core.Engine;
using Ipmp.Host.Notify;
using Ipmp.Host.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Ipmp.Host.Tests.Notify;

/// <summary>The hook runner with real processes in a temporary notify.d: order per hook, the timeout that kills
/// a process group, the bounds, and that handing events over never waits for a hook.</summary>
public sealed class NotifyRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipmp-notify-").FullName;
    private readonly List<NotifyRunner> _runners = [];
    private readonly List<Task> _workers = [];
    private readonly List<string> _crashes = [];

    private string Hooks => Path.Combine(_dir, "notify.d");

    private string Hook(string name, string body, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        Directory.CreateDirectory(Hooks);
        var path = Path.Combine(Hooks, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private NotifyRunner Start(TimeSpan? timeout = null, int queue = 256, int perHook = 64, ILogger? logger = null)
    {
        var runner = new NotifyRunner(new NotifyOptions
        {
            Directory = Hooks,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            QueueCapacity = queue,
            HookQueueCapacity = perHook,
            Environment = new Dictionary<string, string> { ["IPMP_SOCKET"] = "/run/test.sock" },
        }, logger ?? NullLogger.Instance);
        var supervisor = new Supervisor(NullLogger.Instance, code => { lock (_crashes) _crashes.Add($"exit {code}"); });
        _workers.AddRange(runner.Start(supervisor));
        _runners.Add(runner);
        return runner;
    }

    private static StateChange Change(int i, string kind = "interface-failed", string? ifname = "net0") =>
        new(TimeSpan.FromSeconds(i), kind, "ipmp0", ifname, $"detail {i}");

    private static void Until(Func<bool> condition, TimeSpan timeout, string what) => Until(condition, timeout, () => what);

    private static void Until(Func<bool> condition, TimeSpan timeout, Func<string> what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) Assert.Fail($"not within {timeout.TotalSeconds} s: {what()}");
            Thread.Sleep(10);
        }
    }

    private static string[] Lines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];

    [Fact]
    public void Each_hook_sees_every_event_in_order_with_the_event_in_its_environment()
    {
        var log = Path.Combine(_dir, "log");
        Hook("10-record", $"echo \"$IPMP_EVENT|$IPMP_GROUP|$IPMP_INTERFACE|$IPMP_DETAIL|$IPMP_TIME|$IPMP_SOCKET\" >> {log}");
        // A second hook that takes a little while: it must not reorder anything for the first one.
        var slowLog = Path.Combine(_dir, "slow");
        Hook("20-slow", $"sleep 0.0$(( $$ % 5 )); echo \"$IPMP_DETAIL\" >> {slowLog}");
        var logger = new ListLogger();
        var runner = Start(logger: logger);
        for (var batch = 0; batch < 6; batch++)
        {
            for (var i = 0; i < 5; i++) runner.Post(Change(batch * 5 + i));
            runner.Flush();
        }
        runner.Post(Change(30, "group-state", null));
        runner.Flush();

        Until(() => Lines(log).Length == 31 && Lines(slowLog).Length == 31, TimeSpan.FromSeconds(20),
            () => $"31 runs of each hook (recorded {Lines(log).Length}, {Lines(slowLog).Length}; runs {runner.Runs}, failures {runner.Failures}, dropped {runner.Dropped}, backlog {runner.Backlog}, crashes {string.Join(",", _crashes)})\n{string.Join("\n", logger.Lines)}");
        var lines = Lines(log);
        Assert.Equal([.. Enumerable.Range(0, 31).Select(i => $"detail {i}")], lines.Select(l => l.Split('|')[3]));
        Assert.Equal([.. Enumerable.Range(0, 31).Select(i => $"detail {i}")], Lines(slowLog));
        var first = lines[0].Split('|');
        Assert.Equal(["interface-failed", "ipmp0", "net0"], first[..3]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", first[4]);
        Assert.Equal("/run/test.sock", first[5]);
        Assert.Equal(["group-state", "ipmp0", ""], lines[30].Split('|')[..3]);
        Until(() => runner.Runs == 62, TimeSpan.FromSeconds(5), "62 runs counted");
        Assert.Equal(0, runner.Failures);
        Assert.Equal(0, runner.Dropped);
    }

    [Fact]
    public void A_sleeping_hook_holds_up_only_itself_and_handing_over_never_waits()
    {
        var log = Path.Combine(_dir, "log");
        Hook("10-sleep", "sleep 30");
        Hook("20-record", $"echo \"$IPMP_DETAIL\" >> {log}");
        var runner = Start(timeout: TimeSpan.FromSeconds(3));
        var handOver = Stopwatch.StartNew();
        runner.Post(Change(1));
        runner.Flush();
        var first = handOver.Elapsed;
        Thread.Sleep(200);   // 10-sleep is running now
        handOver.Restart();
        runner.Post(Change(2));
        runner.Flush();
        var second = handOver.Elapsed;
        Assert.True(first < TimeSpan.FromMilliseconds(20) && second < TimeSpan.FromMilliseconds(20), $"hand-over took {first.TotalMilliseconds} / {second.TotalMilliseconds} ms");
        Until(() => Lines(log).Length == 2, TimeSpan.FromSeconds(2), "the recording hook ran both events while the other sleeps");
        Assert.Equal(0, runner.Timeouts);
    }

    [Fact]
    public void A_hook_past_its_timeout_is_killed_with_its_process_group()
    {
        var pidFile = Path.Combine(_dir, "child");
        Hook("10-stuck", $"sleep 30 & echo $! > {pidFile}; sleep 30");
        var runner = Start(timeout: TimeSpan.FromMilliseconds(500));
        var sw = Stopwatch.StartNew();
        runner.Post(Change(1));
        runner.Flush();
        Until(() => runner.Timeouts == 1, TimeSpan.FromSeconds(5), "the timeout");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"killed after {sw.Elapsed.TotalMilliseconds} ms");
        var child = int.Parse(File.ReadAllText(pidFile).Trim());
        // The background child was in the hook's process group: gone too (or a zombie waiting for init).
        Until(() => !File.Exists($"/proc/{child}/stat") || File.ReadAllText($"/proc/{child}/stat").Split(' ')[2] == "Z",
            TimeSpan.FromSeconds(2), $"the hook's child {child} killed");
        Assert.Equal(1, runner.Failures);
    }

    [Fact]
    public void The_queues_are_bounded_and_what_does_not_fit_is_dropped_and_counted()
    {
        var log = Path.Combine(_dir, "log");
        Hook("10-slow", $"echo \"$IPMP_DETAIL\" >> {log}; sleep 1");
        var runner = Start(timeout: TimeSpan.FromSeconds(5), queue: 4, perHook: 2);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++) runner.Post(Change(i));   // 4 fit in the loop's list, 6 are dropped
        runner.Flush();
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(20), $"hand-over took {sw.Elapsed.TotalMilliseconds} ms");
        // The 4 handed over meet a hook queue of 2: 2 more are dropped.
        Until(() => runner.Dropped == 8, TimeSpan.FromSeconds(3), "8 dropped");
        Until(() => runner.Backlog == 0, TimeSpan.FromSeconds(6), "the 2 that fit have run");
        Assert.Equal(["detail 0", "detail 1"], Lines(log));
    }

    [Fact]
    public void Only_executable_regular_files_run_and_never_ones_others_may_write()
    {
        var log = Path.Combine(_dir, "log");
        Hook("10-ok", $"echo ok >> {log}");
        Hook("20-not-executable", $"echo no-x >> {log}", (UnixFileMode)0b110_100_100);
        Hook("30-world-writable", $"echo writable >> {log}", (UnixFileMode)0b111_111_111);
        Hook(".40-hidden", $"echo hidden >> {log}");
        Hook("50-backup~", $"echo backup >> {log}");
        Hook("60-link-target", $"echo link >> {log}", (UnixFileMode)0b110_100_100);
        File.CreateSymbolicLink(Path.Combine(Hooks, "70-link"), Path.Combine(_dir, "nowhere"));
        Directory.CreateDirectory(Path.Combine(Hooks, "80-directory"));
        var runner = Start();
        Assert.Equal([Path.Combine(Hooks, "10-ok")], runner.Scan());
    }

    [Fact]
    public void Output_goes_to_the_log_line_limited()
    {
        var logger = new ListLogger();
        Hook("10-chatty", "i=0; while [ $i -lt 50 ]; do echo \"line $i\"; i=$((i+1)); done; echo oops >&2; exit 3");
        var runner = Start(logger: logger);
        runner.Post(Change(1));
        runner.Flush();
        Until(() => runner.Runs == 1, TimeSpan.FromSeconds(5), "one run");
        var lines = logger.Lines;
        Assert.Equal(20, lines.Count(l => l.Contains("notify: 10-chatty: line ")));
        Assert.Contains(lines, l => l.Contains("31 more output line(s) not logged"));
        Assert.Contains(lines, l => l.Contains("ended with exit 3"));
        Assert.Equal(1, runner.Failures);
    }

    public void Dispose()
    {
        foreach (var r in _runners) r.Stop();
        Task.WhenAll(_workers).Wait(TimeSpan.FromSeconds(15));
        Assert.Empty(_crashes);
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];
        public List<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
