using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Host.Daemon;

/// <summary>The control socket's view of the daemon: every request runs on the engine loop, so each
/// answer comes from one consistent state.</summary>
public sealed class DaemonControlHandler(IpmpDaemon daemon) : IControlHandler
{
    private readonly EngineClock _clock = new(TimeProvider.System);

    public TimeSpan Now => _clock.Now;

    public Task<IpmpSnapshot> SnapshotAsync(CancellationToken cancellationToken) =>
        daemon.Loop.InvokeAsync(engine => engine.Snapshot()).WaitAsync(cancellationToken);

    public Task<AdminResult> OfflineAsync(string interfaceName, int minRedundancy, CancellationToken cancellationToken) =>
        daemon.Loop.InvokeAsync(engine => engine.Offline(interfaceName, minRedundancy)).WaitAsync(cancellationToken);

    public Task<AdminResult> OnlineAsync(string interfaceName, CancellationToken cancellationToken) =>
        daemon.Loop.InvokeAsync(engine => engine.Online(interfaceName)).WaitAsync(cancellationToken);

    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        var result = await daemon.ReloadAsync().WaitAsync(cancellationToken);
        return new ReloadResult(result.Config is not null,
            [.. result.Diagnostics.Select(d => $"{d.Severity.ToString().ToLowerInvariant()}: {d}")]);
    }

    public IDisposable Subscribe(IControlEventSink sink, bool probes, bool changes) =>
        daemon.Observer.Subscribe(sink, probes, changes);
}
