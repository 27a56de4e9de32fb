using System.Globalization;
using Ipmp.Core.Engine;
using Ipmp.Host.Configuration;
using Ipmp.Host.Runtime;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Notify;

public sealed record NotifyOptions
{
    /// <summary>The hooks: every executable regular file in it, in name order (<c>CONFIG-DIR/notify.d</c>).</summary>
    public required string Directory { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Hooks running at once (each hook runs one event at a time, in order).</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Events handed over by the loop and not yet given to the hooks; more are dropped and counted.</summary>
    public int QueueCapacity { get; init; } = 256;
    /// <summary>Events waiting for one hook (a hook that is slower than the events); more are dropped and counted.</summary>
    public int HookQueueCapacity { get; init; } = 64;
    /// <summary>Output lines of one run that reach the log; the rest are counted.</summary>
    public int MaxLogLines { get; init; } = 20;
    public int MaxLineLength { get; init; } = 400;
    /// <summary>Besides PATH and the IPMP_* event variables (e.g. IPMP_SOCKET).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>A state change as a hook sees it.</summary>
public sealed record HookEvent(string Kind, string Group, string? Interface, string Detail, DateTimeOffset Time);

/// <summary>
/// keepalived's notify convention for IPMP: every executable regular file in <c>notify.d</c> runs on each state
/// change (what <c>ipmp events</c> prints) with IPMP_EVENT, IPMP_GROUP, IPMP_INTERFACE, IPMP_DETAIL and IPMP_TIME
/// in its environment.
/// <para>Never on the failover path: on the loop, <see cref="Post"/> appends to a list the loop owns (no lock, no
/// system call, in the middle of an engine call) and <see cref="Flush"/>, after the turn's commands have been
/// carried out, moves the batch into a bounded queue and wakes a worker. Everything else happens on
/// <see cref="NotifyOptions.Concurrency"/> worker threads (supervised): one of them at a time reads the directory
/// and gives each event, in order, to every hook's own bounded queue; the workers run hooks whose queue is not
/// empty, one event per hook at a time, so a hook sees its events in order, and a slow hook holds up only itself.
/// Beyond either bound an event is dropped and counted (<see cref="Dropped"/>), with a rate-limited warning.</para>
/// <para>A hook runs in a process group of its own and is killed with it after <see cref="NotifyOptions.Timeout"/>;
/// its output goes to the log (at most <see cref="NotifyOptions.MaxLogLines"/> lines a run). Files that are
/// writable by group or others are not run (they would run as root).</para>
/// </summary>
public sealed class NotifyRunner : IEngineObserver
{
    private readonly NotifyOptions _options;
    private readonly ILogger _logger;
    private readonly EngineClock _clock;
    private readonly LogLimiter _limiter = new(burst: 5, TimeSpan.FromSeconds(60));

    // The loop's own.
    private readonly List<StateChange> _pending = [];
    private long _droppedOnLoop;

    private readonly object _gate = new();   // Monitor.Wait/Pulse
    private readonly Queue<HookEvent> _queue = new();
    private readonly SortedDictionary<string, HookState> _hooks = new(StringComparer.Ordinal);
    private bool _distributing;
    private bool _stopping;
    private long _dropped, _runs, _timeouts, _failures;

    public NotifyRunner(NotifyOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _clock = new EngineClock(options.Time);
    }

    public NotifyOptions Options => _options;
    public long Dropped => Interlocked.Read(ref _dropped) + Interlocked.Read(ref _droppedOnLoop);
    public long Runs => Interlocked.Read(ref _runs);
    public long Timeouts => Interlocked.Read(ref _timeouts);
    /// <summary>Runs that did not exit 0 (timeouts included) or could not start.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Events queued or waiting for a hook, and hooks running (tests; diagnostics).</summary>
    public int Backlog
    {
        get
        {
            lock (_gate) return _queue.Count + _hooks.Values.Sum(h => h.Pending.Count + (h.Running ? 1 : 0)) + (_distributing ? 1 : 0);
        }
    }

    // ---- on the event loop ----

    public bool WantsProbes => false;

    public void Changed(StateChange change) => Post(change);

    /// <summary>On the loop, from the engine's observer: no lock, no system call.</summary>
    public void Post(StateChange change)
    {
        if (_pending.Count >= _options.QueueCapacity)
        {
            Interlocked.Increment(ref _droppedOnLoop);
            return;
        }
        _pending.Add(change);
    }

    /// <summary>On the loop after a turn (the turn's moves are done): hands the batch over, wakes a worker.</summary>
    public void Flush()
    {
        if (_pending.Count == 0) return;
        // Engine instants are monotonic; the wall clock's distance from now dates them.
        var nowMono = _clock.Now;
        var nowWall = _options.Time.GetUtcNow();
        var dropped = 0;
        lock (_gate)
        {
            foreach (var c in _pending)
            {
                if (_queue.Count >= _options.QueueCapacity)
                {
                    dropped++;
                    continue;
                }
                _queue.Enqueue(new HookEvent(c.Kind, c.Group, c.Interface, c.Detail, nowWall - (nowMono - c.At)));
            }
            _dropped += dropped;
            Monitor.Pulse(_gate);
        }
        _pending.Clear();
    }

    // ---- the workers ----

    /// <summary>Starts the workers under <paramref name="supervisor"/>; each task ends when <see cref="Stop"/> is called.</summary>
    public IReadOnlyList<Task> Start(Supervisor supervisor) =>
        [.. Enumerable.Range(0, _options.Concurrency).Select(i => supervisor.StartThread($"notify worker {i}", Work))];

    public void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>A worker's body: hand out new events, or run the next event of a hook that is free.</summary>
    public void Work()
    {
        while (true)
        {
            List<HookEvent>? batch = null;
            HookState? hook = null;
            HookEvent? next = null;
            lock (_gate)
            {
                while (true)
                {
                    if (_stopping) return;
                    // One distributor at a time, whole batches in order: every hook sees the events in order.
                    if (_queue.Count > 0 && !_distributing)
                    {
                        batch = [.. _queue];
                        _queue.Clear();
                        _distributing = true;
                        break;
                    }
                    hook = _hooks.Values.FirstOrDefault(h => !h.Running && h.Pending.Count > 0);
                    if (hook is not null)
                    {
                        hook.Running = true;
                        next = hook.Pending.Dequeue();
                        break;
                    }
                    Monitor.Wait(_gate);
                }
            }
            if (batch is not null)
            {
                Distribute(batch);
                continue;
            }
            try
            {
                RunOne(hook!.Path, next!);
            }
            finally
            {
                lock (_gate)
                {
                    hook!.Running = false;
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    private void Distribute(List<HookEvent> batch)
    {
        var paths = Scan();
        var late = new List<string>();
        lock (_gate)
        {
            foreach (var p in paths)
                if (!_hooks.ContainsKey(p)) _hooks[p] = new HookState(p);
            // Hooks that left the directory are forgotten once they have nothing left to do.
            foreach (var gone in _hooks.Values.Where(h => !paths.Contains(h.Path) && !h.Running && h.Pending.Count == 0).ToList())
                _hooks.Remove(gone.Path);
            foreach (var e in batch)
                foreach (var p in paths)
                {
                    var h = _hooks[p];
                    if (h.Pending.Count >= _options.HookQueueCapacity)
                    {
                        _dropped++;
                        late.Add(p);
                        continue;
                    }
                    h.Pending.Enqueue(e);
                }
            _distributing = false;
            Monitor.PulseAll(_gate);
        }
        foreach (var p in late.Distinct()) Warn($"full:{p}", "notify: {Hook} is behind (more than {Count} events waiting); events dropped", p, _options.HookQueueCapacity);
    }

    /// <summary>The hooks now: executable regular files (symbolic links to one too), in name order; dot files
    /// and backup copies are passed over; a file writable by group or others is refused.</summary>
    internal List<string> Scan()
    {
        var result = new List<string>();
        if (!System.IO.Directory.Exists(_options.Directory)) return result;
        IEnumerable<string> entries;
        try
        {
            entries = System.IO.Directory.EnumerateFileSystemEntries(_options.Directory).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn("scan", "notify: cannot read {Directory}: {Error}", _options.Directory, e.Message);
            return result;
        }
        foreach (var path in entries)
        {
            if (ConfigDirectory.IsHiddenOrBackup(Path.GetFileName(path))) continue;
            try
            {
                if (Ipmp.Linux.Files.UnixFile.TypeOf(path) != Ipmp.Linux.Files.UnixFileType.Regular) continue;
                var mode = File.GetUnixFileMode(path);
                if ((mode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0) continue;
                if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
                {
                    Warn($"mode:{path}", "notify: {Hook} is writable by group or others; not run", path);
                    continue;
                }
                result.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Warn($"stat:{path}", "notify: {Hook}: {Error}", path, e.Message);
            }
        }
        return result;
    }

    private void RunOne(string path, HookEvent e)
    {
        var name = Path.GetFileName(path);
        var lines = 0;
        var unlogged = 0;
        var result = HookProcess.Run(path, Environment(e), _options.Timeout, (stderr, line) =>
        {
            if (++lines > _options.MaxLogLines)
            {
                unlogged++;
                return;
            }
            if (stderr) _logger.LogWarning("notify: {Hook}: {Line}", name, line);
            else _logger.LogInformation("notify: {Hook}: {Line}", name, line);
        }, _options.MaxLineLength);
        if (unlogged > 0) _logger.LogWarning("notify: {Hook}: {Count} more output line(s) not logged", name, unlogged);
        var what = e.Interface is null ? $"{e.Kind} {e.Group}" : $"{e.Kind} {e.Group} {e.Interface}";
        switch (result.Outcome)
        {
            case HookOutcome.Exited when result.Code == 0:
                _logger.LogDebug("notify: {Hook} ({Event}) done in {Ms} ms", name, what, (int)result.Elapsed.TotalMilliseconds);
                break;
            case HookOutcome.TimedOut:
                Interlocked.Increment(ref _timeouts);
                Interlocked.Increment(ref _failures);
                _logger.LogWarning("notify: {Hook} ({Event}) still running after {Seconds} s; killed with its process group {Pgid}",
                    name, what, _options.Timeout.TotalSeconds, result.ProcessGroup);
                break;
            case HookOutcome.NotStarted:
                Interlocked.Increment(ref _failures);
                Warn($"start:{path}", "notify: cannot run {Hook}: {Error}", path, result.Error ?? "");
                break;
            default:
                Interlocked.Increment(ref _failures);
                _logger.LogWarning("notify: {Hook} ({Event}) ended with {Result}", name, what, result.ToString());
                break;
        }
        // Counted last: whoever sees the run counted also sees everything it logged and its failure count.
        Interlocked.Increment(ref _runs);
    }

    private List<string> Environment(HookEvent e)
    {
        var env = new List<string>
        {
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            $"IPMP_EVENT={e.Kind}",
            $"IPMP_GROUP={e.Group}",
            $"IPMP_INTERFACE={e.Interface ?? ""}",
            $"IPMP_DETAIL={e.Detail}",
            $"IPMP_TIME={e.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}",
        };
        foreach (var (k, v) in _options.Environment) env.Add($"{k}={v}");
        return env;
    }

    private void Warn(string kind, string message, params object[] args)
    {
        if (!_limiter.Allow(kind, TimeSpan.FromMilliseconds(System.Environment.TickCount64), out var suppressed)) return;
#pragma warning disable CA2254 // the templates are this class's constants
        _logger.LogWarning(message + (suppressed > 0 ? $" ({suppressed} similar messages suppressed)" : ""), args);
#pragma warning restore CA2254
    }

    private sealed class HookState(string path)
    {
        public string Path { get; } = path;
        public Queue<HookEvent> Pending { get; } = new();
        public bool Running { get; set; }
    }
}
