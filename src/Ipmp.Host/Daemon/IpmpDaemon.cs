using System.Runtime.InteropServices;
using Ipmp.Core.Configuration;
using Ipmp.Core.Engine;
using Ipmp.Core.Model;
using Ipmp.Host.Configuration;
using Ipmp.Host.Control;
using Ipmp.Host.Kernel;
using Ipmp.Host.Metrics;
using Ipmp.Host.Notify;
using Ipmp.Host.Runtime;
using Ipmp.Host.State;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Daemon;

/// <summary>
/// The daemon: loads the configuration, takes the host's daemon lock, then runs the event loop
/// (<see cref="DaemonLoop"/>: the engine against the kernel) and the route worker on threads of their own
/// under crash-only supervision, and re-reads the configuration on SIGHUP (or <c>ipmp reload</c>) in place,
/// keeping what it has learned. A broken configuration is reported with file and line, and the last good one
/// stays in force. On stop, data addresses stay where they are.
/// </summary>
public sealed class IpmpDaemon(DaemonOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("ipmpd");
    private volatile IpmpConfig _config = IpmpConfig.Empty;
    private DaemonLoop? _loop;
    private readonly LogLimiterClock _controlLogLimit = new(new EngineClock(TimeProvider.System));

    public DaemonObserver Observer { get; } = new(loggers.CreateLogger("ipmpd"));
    public IpmpConfig Config => _config;

    /// <summary>The event loop; set once <see cref="RunAsync"/> has started it.</summary>
    public DaemonLoop Loop => _loop ?? throw new InvalidOperationException("the daemon is not running");

    /// <summary>Set once the engine has seen the kernel and its first placement is carried out: the daemon
    /// is ready (systemd hears READY=1 only then).</summary>
    public Task Ready => _ready.Task;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Loads and validates the configuration; logs every diagnostic.</summary>
    public ConfigLoadResult LoadConfig()
    {
        var result = ConfigDirectory.Load(options.ConfigDirectory);
        foreach (var d in result.Diagnostics)
        {
            var level = d.Severity switch
            {
                DiagnosticSeverity.Error => LogLevel.Error,
                DiagnosticSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Information,
            };
            _logger.Log(level, "{Diagnostic}", d.ToString());
        }
        return result;
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        try
        {
            return await RunCoreAsync(ct);
        }
        finally
        {
            _ready.TrySetCanceled(CancellationToken.None);
        }
    }

    private async Task<int> RunCoreAsync(CancellationToken ct)
    {
        var loaded = LoadConfig();
        if (loaded.Config is null)
        {
            _logger.LogCritical("configuration in {Dir} has errors; not starting", options.ConfigDirectory);
            return 1;
        }
        _config = loaded.Config;

        var socketPath = ControlSocketPath.Resolve(options.SocketPath);
        // Before anything touches the kernel: a second daemon would fight the first over every address.
        using var daemonLock = DaemonLock.TryAcquire(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath))!, "ipmpd.lock"), out var lockError);
        if (daemonLock is null)
        {
            _logger.LogCritical("main: is another instance of the daemon already active? {Error}", lockError);
            return 1;
        }

        var supervisor = options.Supervisor ?? new Supervisor(_logger);
        supervisor.WatchProcess();
        var watchdog = SystemdWatchdog.FromEnvironment();
        // Memory across restarts (State/DaemonMemory.cs): read before the engine exists, restored into it
        // before its first event, written off the loop when it changes.
        using var memory = DaemonMemory.Open(options.StateFilePath ?? StateFile.DefaultPath(socketPath), _logger, supervisor.StartThread);
        // Notify hooks (Notify/): the loop only appends to a list, and hands it over after each turn.
        var notify = new NotifyRunner(new NotifyOptions
        {
            Directory = options.NotifyDirectory ?? Path.Combine(options.ConfigDirectory, "notify.d"),
            Timeout = options.NotifyTimeout,
            Environment = new Dictionary<string, string> { ["IPMP_SOCKET"] = Path.GetFullPath(socketPath) },
        }, loggers.CreateLogger("ipmpd"));
        Metrics = options.MetricsEndPoint is null ? null : new IpmpMetrics(() => MetricsSnapshot());
        using var metrics = Metrics;
        using var loop = _loop = new DaemonLoop(new DaemonLoopOptions
        {
            Random = new Random(),
            Engine = new EngineOptions { RunId = Environment.ProcessId, Cookie = (ulong)Random.Shared.NextInt64() },
            Announcements = options.Announcements,
            Routing = RoutingOf,
            Heartbeat = watchdog is null ? null : watchdog.Ping,
            HeartbeatInterval = watchdog?.Interval,
            Faults = FaultInjection.FromEnvironment(),
            PrepareEngine = memory.Restore,
            RealtimePriority = options.RealtimePriority,
            AfterTurn = engine =>
            {
                memory.Observe(engine);
                notify.Flush();
            },
        }, _logger);
        loop.Routes?.EnableLayer4Hashing();

        using var control = StartControlServer(socketPath);
        if (control is null) return 1;
        using var endpoint = StartMetricsEndpoint();
        if (Metrics is not null && endpoint is null) return 1;
        // Under nohup SIGHUP comes in ignored, and the runtime would leave it so: reloads by signal would be lost.
        if (Ipmp.Linux.InheritedSignals.UnignoreHangup())
            _logger.LogInformation("SIGHUP was ignored by whoever started the daemon (nohup?); handling it again, for reloads");
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            _logger.LogInformation("SIGHUP: rereading the configuration");
            // Runs on the loop; a failure there ends the process (crash-only), so only a refusal is left to report.
            if (loop.InvokeAsync(_ => ReloadOnLoop()).IsFaulted)
                _logger.LogWarning("SIGHUP: the event loop is stopping or overloaded; reload not queued");
        });

        var config = _config;
        IEngineObserver observer = Metrics is null ? new FanOutObserver(Observer, notify) : new FanOutObserver(Observer, Metrics, notify);
        var loopThread = supervisor.StartThread("event loop", () => loop.Run(config, observer));
        var workerThread = loop.Routes is { } routes ? supervisor.StartThread("route worker", routes.Run) : Task.CompletedTask;
        // Off the loop, each owned by the supervisor: the metrics endpoint's keeper, the state writer and the notify workers.
        // The control socket's listener is on the loop; its task ends only if the server is disposed early.
        var others = new List<(string Name, Task Task)> { ("control socket", control.AcceptLoop) };
        if (endpoint is not null) others.Add(("metrics endpoint", supervisor.StartThread("metrics endpoint", endpoint.Run)));
        if (memory.Writer is { } writer) others.Add(("state writer", writer.Done));
        others.AddRange(notify.Start(supervisor).Select((t, i) => ($"notify worker {i}", t)));
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopRegistration = ct.Register(() => stopped.TrySetResult());
        try
        {
            if (await Task.WhenAny(loop.Ready, loopThread, stopped.Task) != loop.Ready) return ExitCode(supervisor);
            // Logged before readiness is reported (the console logger is asynchronous, so the journal may still
            // show it after systemd's "Started").
            _logger.LogInformation("ipmp daemon running: {Groups} group(s), config {Dir}", _config.Groups.Length, options.ConfigDirectory);
            // Sent before READY=1 (which the host sends once Ready completes), in its own datagram: systemd
            // reads them in order, so a unit that is active shows this status, proof of our readiness
            // report that does not depend on how the journal interleaves our log with systemd's.
            SystemdNotify.Status($"running: {_config.Groups.Length} group(s), first placement done");
            _ready.TrySetResult();
            var ended = await Task.WhenAny([loopThread, workerThread, stopped.Task, .. others.Select(o => o.Task)]);
            if (ended != stopped.Task)
            {
                // A thread that returns on its own without being stopped is a bug as much as one that throws.
                var name = ended == loopThread ? "event loop" : ended == workerThread ? "route worker" : others.First(o => o.Task == ended).Name;
                if (!supervisor.Crashed)
                    supervisor.Crash(name, ended.Exception?.GetBaseException() ?? new InvalidOperationException("ended without being stopped"));
                return ExitCode(supervisor);
            }
        }
        finally
        {
            loop.Stop();
            loop.Routes?.Stop();
            endpoint?.Stop();
            notify.Stop();   // a hook running now finishes (within its timeout); queued events are not run
            // Let the turn in progress finish (a move half done is worse than a slow stop).
            await Task.WhenAny(Task.WhenAll(loopThread, workerThread), Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        }
        _logger.LogInformation("ipmp daemon stopped; data addresses stay where they are");
        return 0;
    }

    /// <summary>Prometheus metrics (<c>--metrics-address</c>); null when off.</summary>
    public IpmpMetrics? Metrics { get; private set; }

    /// <summary>For a scrape, off the loop: a snapshot taken on the loop, or null if it does not answer in time.</summary>
    private MetricsView? MetricsSnapshot()
    {
        if (_loop is not { } loop) return null;
        var task = loop.InvokeAsync(MetricsView.Capture);
        try
        {
            return task.Wait(IpmpMetrics.SnapshotTimeout) ? task.Result : null;
        }
        catch (AggregateException)
        {
            return null;   // the loop is stopping or its inbox is full
        }
    }

    /// <summary>The metrics endpoint when asked for; null (and logged) when its address cannot be had.</summary>
    private MetricsEndpoint? StartMetricsEndpoint()
    {
        if (Metrics is null || options.MetricsEndPoint is not { } at) return null;
        try
        {
            var endpoint = MetricsEndpoint.Start(at, Metrics, _logger);
            _logger.LogInformation("metrics on {Url}", endpoint.Url);
            return endpoint;
        }
        catch (MetricsEndpointException e)
        {
            _logger.LogCritical("{Error}", e.Message);
            return null;
        }
    }

    private static int ExitCode(Supervisor supervisor) => supervisor.Crashed ? Supervisor.CrashExitCode : 0;

    /// <summary>The control socket; null when it cannot be had (another daemon answers on it).</summary>
    private ControlServer? StartControlServer(string path)
    {
        try
        {
            var server = ControlServer.Start(new DaemonControlHandler(this), new ControlServerOptions
            {
                SocketPath = path,
                // Accepted on the event loop (before its thread starts, registering is single-threaded).
                Watcher = _loop,
                Log = line =>
                {
                    // Local users can provoke these at will: a burst, then a summary.
                    var kind = string.Join(' ', line.Split(' ', 3).Take(2));
                    if (_controlLogLimit.Allow(kind, out var suppressed))
                        _logger.LogWarning("control: {Line}{Suppressed}", line, LogLimiterClock.Note(suppressed));
                },
            });
            _logger.LogInformation("control socket {Path}", path);
            return server;
        }
        catch (ControlServerException ex)
        {
            _logger.LogCritical("main: is another instance of the daemon already active? {Error}", ex.Message);
            return null;
        }
    }

    /// <summary>Re-reads the configuration and applies it in place; on errors keeps the current one.</summary>
    public Task<ConfigLoadResult> ReloadAsync() => Loop.InvokeAsync(_ => ReloadOnLoop());

    /// <summary>On the loop: the configuration files are small; reading them here keeps reloads in order
    /// with everything else and needs no task of its own.</summary>
    private ConfigLoadResult ReloadOnLoop()
    {
        var loaded = LoadConfig();
        if (loaded.Config is not { } config)
        {
            _logger.LogError("configuration has errors; keeping the last good configuration");
            return loaded;
        }
        _config = config;
        Loop.Reconfigure(config);
        return loaded;
    }

    /// <summary>A group's on-link networks (where its data and test addresses live), its data addresses as
    /// preferred sources, and its members.</summary>
    private GroupRouting RoutingOf(string group)
    {
        var config = _config;
        var members = config.Interfaces.Where(i => i.Group == group).ToList();
        var data = members.SelectMany(i => i.DataAddresses)
            .Concat(config.Groups.Where(g => g.Name == group).SelectMany(g => g.DataAddresses)).ToList();
        var networks = data.Concat(members.Select(i => i.TestAddressV4).OfType<IpPrefix>())
            .Where(p => !LoadSpreader.IsLinkLocal(p) && p.PrefixLength < p.MaxLength)
            .Select(LoadSpreader.Network).Distinct().ToList();
        return new GroupRouting(networks, [.. data.Select(p => p.Address)], [.. members.Select(i => i.Name)]);
    }
}
