using System.Collections.Immutable;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;

namespace Ipmp.Host.Control;

/// <summary>
/// What the daemon provides to <see cref="ControlServer"/>. The server calls these from thread-pool threads,
/// possibly several at once; an implementation posts the work to its engine loop. Every call has the
/// request's deadline (5 s) in its cancellation token. Exceptions become an error reply (and a log line).
/// Privilege checks are the server's job: only root reaches offline, online, reload and probe subscriptions.
/// </summary>
public interface IControlHandler
{
    /// <summary>The daemon's monotonic clock: the clock <see cref="ProbeEvent"/> and <see cref="StateChange"/> times are on.</summary>
    TimeSpan Now { get; }

    /// <summary>A consistent snapshot (illumos rescans the kernel first, so that the view is current).</summary>
    Task<IpmpSnapshot> SnapshotAsync(CancellationToken cancellationToken);

    /// <summary><c>if_mpadm -d</c>: offline <paramref name="interfaceName"/> if at least <paramref name="minRedundancy"/> other members stay usable.</summary>
    Task<AdminResult> OfflineAsync(string interfaceName, int minRedundancy, CancellationToken cancellationToken);

    /// <summary><c>if_mpadm -r</c>: undo the offline of <paramref name="interfaceName"/>.</summary>
    Task<AdminResult> OnlineAsync(string interfaceName, CancellationToken cancellationToken);

    /// <summary>Re-read the configuration. <see cref="ReloadResult.Ok"/> false = the old configuration was kept.</summary>
    Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Deliver events to <paramref name="sink"/> until the returned handle is disposed. Only the kinds asked
    /// for need be delivered (the server filters anyway). The sink is thread-safe, never blocks and never
    /// throws, so the daemon may call it from its engine loop.
    /// </summary>
    IDisposable Subscribe(IControlEventSink sink, bool probes, bool changes);
}

/// <summary>Receives events for one subscriber. Thread-safe, non-blocking, never throws.</summary>
public interface IControlEventSink
{
    void OnProbe(ProbeEvent probe);

    void OnChange(StateChange change);
}

/// <summary>The outcome of a reload.</summary>
/// <param name="Ok">True when the new configuration is in effect; false when the daemon kept the old one.</param>
/// <param name="Diagnostics">Lines to show the operator (errors and warnings, with file and line), in order.</param>
public sealed record ReloadResult(bool Ok, ImmutableArray<string> Diagnostics);
