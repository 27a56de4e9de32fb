using System.Runtime.InteropServices;
using Ipmp.Core.Configuration;
using Ipmp.Core.Engine;
using Ipmp.Core.Model;
using Ipmp.Host.Configuration;
using Ipmp.Host.Control;
using Ipmp.Host.Kernel;
using Ipmp.Host.State;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Daemon;

/// <summary>
/// The daemon: loads the configuration, dumps the kernel, runs the engine on its event loop against the
/// kernel, and re-reads the configuration on SIGHUP (or <c>ipmp reload</c>) in place, keeping what it has
/// learned. A broken configuration is reported with file and line, and the last good one stays in force.
/// On stop, data addresses stay where they are.
/// </summary>
public sealed class IpmpDaemon(DaemonOptions options, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("ipmpd");
    private volatile IpmpConfig _config = IpmpConfig.Empty;

    /// <summary>The engine reads time from TimeProvider.System; the loop sleeps on the same (system) clock.</summary>
    public EngineLoop Loop { get; } = new();
    public DaemonObserver Observer { get; } = new(loggers.CreateLogger("ipmpd"));
    public KernelNetworkPort? Port { get; private set; }
    public IpmpConfig Config => _config;

    /// <summary>Set once the engine has seen the kernel's state: the daemon is ready.</summary>
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
        var loaded = LoadConfig();
        if (loaded.Config is null)
        {
            _logger.LogCritical("configuration in {Dir} has errors; not starting", options.ConfigDirectory);
            return 1;
        }
        _config = loaded.Config;

        using var client = RtNetlinkClient.Create();
        var view = new KernelView();
        var clock = new EngineClock(TimeProvider.System);
        KernelNetworkPort? port = null;
        void Post(Core.Events.NetworkEvent e)
        {
            Loop.Post(e);
            // Someone (or we) changed routes: keep outbound routes on the active members.
            if (e is Core.Events.RoutesObserved) port?.RefreshRoutes();
        }
        using var events = new KernelEventSource(client, view, Post, _logger);
        var probes = new ProbeSockets(view, clock, Loop.Post, _logger);
        Port = port = new KernelNetworkPort(client, view, probes, options.Announcements, RoutingOf, _logger);
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
        {
            ctx.Cancel = true;
            _logger.LogInformation("SIGHUP: rereading the configuration");
            _ = ReloadAsync();
        });

        try
        {
            using var control = StartControlServer();
            if (control is null) return 1;
            // ---- memory across restarts (issue 8 item 5, State/DaemonMemory.cs): read before the engine
            // exists, restored into it before its first event, written (off the loop) when it changes ----
            using var memory = DaemonMemory.Open(options.StateFilePath ?? StateFile.DefaultPath(ControlSocketPath.Resolve(options.SocketPath)), _logger);
            Loop.AfterWork = memory.Observe;
            // ---- end of memory hook (and memory.Restore around the engine below) ----
            var initial = await events.DumpAsync(ct);
            foreach (var e in initial) Loop.Post(e);
            var loop = Loop.RunAsync(() => memory.Restore(new IpmpEngine(_config, Port, TimeProvider.System, new Random(), Observer)), ct);
            var kernel = events.RunAsync(ct);
            await Loop.InvokeAsync(_ => true);
            _ready.TrySetResult();
            _logger.LogInformation("ipmp daemon running: {Groups} group(s), config {Dir}", _config.Groups.Length, options.ConfigDirectory);
            await Task.WhenAll(loop, kernel);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            Loop.Dispose();
            await Port.DisposeAsync();
            _ready.TrySetCanceled(CancellationToken.None);
        }
        _logger.LogInformation("ipmp daemon stopped; data addresses stay where they are");
        return 0;
    }

    /// <summary>The control socket; null when it cannot be had (another daemon answers on it).</summary>
    private ControlServer? StartControlServer()
    {
        var path = ControlSocketPath.Resolve(options.SocketPath);
        try
        {
            var server = ControlServer.Start(new DaemonControlHandler(this), new ControlServerOptions
            {
                SocketPath = path,
                Log = line => _logger.LogWarning("control: {Line}", line),
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
    public async Task<ConfigLoadResult> ReloadAsync()
    {
        var loaded = LoadConfig();
        if (loaded.Config is not { } config)
        {
            _logger.LogError("configuration has errors; keeping the last good configuration");
            return loaded;
        }
        _config = config;
        await Loop.InvokeAsync(engine =>
        {
            engine.ApplyConfig(config);
            return true;
        });
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
