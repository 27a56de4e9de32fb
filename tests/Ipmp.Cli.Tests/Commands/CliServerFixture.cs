using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using Ipmp.Cli.Commands;
using Ipmp.Cli.Tests.Stat;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Tests.Commands;

/// <summary>A daemon stand-in for the CLI verbs: canned answers and event publication.</summary>
internal sealed class FakeDaemon : IControlHandler
{
    private readonly ConcurrentDictionary<IControlEventSink, byte> _sinks = new();

    public TimeSpan Now { get; set; } = ExampleScenario.ProbeStart;

    public IpmpSnapshot Snapshot { get; set; } = ExampleScenario.Snapshot;

    public Func<string, AdminResult> Offline { get; set; } = _ => AdminResult.Success;

    public Func<string, AdminResult> Online { get; set; } = _ => AdminResult.Success;

    public ReloadResult Reload { get; set; } = new(true, []);

    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<IpmpSnapshot> SnapshotAsync(CancellationToken cancellationToken) => Task.FromResult(Snapshot);

    public Task<AdminResult> OfflineAsync(string interfaceName, int minRedundancy, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"offline {interfaceName} {minRedundancy}");
        return Task.FromResult(Offline(interfaceName));
    }

    public Task<AdminResult> OnlineAsync(string interfaceName, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"online {interfaceName}");
        return Task.FromResult(Online(interfaceName));
    }

    public Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("reload");
        return Task.FromResult(Reload);
    }

    public IDisposable Subscribe(IControlEventSink sink, bool probes, bool changes)
    {
        _sinks[sink] = 0;
        return new Off(() => _sinks.TryRemove(sink, out _));
    }

    public void Publish(ProbeEvent e)
    {
        foreach (IControlEventSink s in _sinks.Keys)
            s.OnProbe(e);
    }

    public void Publish(StateChange c)
    {
        foreach (IControlEventSink s in _sinks.Keys)
            s.OnChange(c);
    }

    public async Task WaitForSubscriberAsync()
    {
        var sw = Stopwatch.StartNew();
        while (_sinks.IsEmpty)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
                throw new TimeoutException("nobody subscribed");
            await Task.Delay(10);
        }
    }

    private sealed class Off(Action a) : IDisposable
    {
        private Action? _a = a;

        public void Dispose() => Interlocked.Exchange(ref _a, null)?.Invoke();
    }
}

/// <summary>A control server on a fresh temp path (0755 directory, so other uids can reach it).</summary>
internal sealed class CliServerFixture : IDisposable
{
    private readonly string _dir;

    public CliServerFixture()
    {
        _dir = Path.Combine(Path.GetTempPath(), "ipmp-cli-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_dir);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        Daemon = new FakeDaemon();
        Server = ControlServer.Start(Daemon, new ControlServerOptions { SocketPath = Path.Combine(_dir, "ipmpd.sock") });
    }

    public FakeDaemon Daemon { get; }

    public ControlServer Server { get; }

    public string SocketPath => Server.SocketPath;

    /// <summary>A path where nothing listens.</summary>
    public string DeadPath => Path.Combine(_dir, "nobody.sock");

    public void Dispose()
    {
        Server.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Runs verbs through System.CommandLine, as the ipmp binary does, capturing the output.</summary>
internal static class Cli
{
    public static RootCommand Root() => new("test")
    {
        StatCommand.Create(), AdminCommands.CreateOffline(), AdminCommands.CreateOnline(), ReloadCommand.Create(), EventsCommand.Create(),
    };

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) =>
        await RunAsync(CancellationToken.None, args);

    public static async Task<(int Exit, string Out, string Err)> RunAsync(CancellationToken ct, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await Root().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null })
            .InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A synchronised StringWriter, for output read while a streaming verb is still writing.</summary>
internal sealed class SharedWriter : StringWriter
{
    private readonly object _lock = new();

    public override void Write(char value) { lock (_lock) base.Write(value); }

    public override void Write(string? value) { lock (_lock) base.Write(value); }

    public override Task WriteAsync(string? value) { Write(value); return Task.CompletedTask; }

    public override Task WriteAsync(char value) { Write(value); return Task.CompletedTask; }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public string Text { get { lock (_lock) return ToString(); } }

    public async Task WaitForAsync(Func<string, bool> done)
    {
        var sw = Stopwatch.StartNew();
        while (!done(Text))
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
                throw new TimeoutException("output so far:\n" + Text);
            await Task.Delay(10);
        }
    }
}
