using Ipmp.Core.Engine;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.State;

/// <summary>
/// The daemon's memory across restarts, in three calls for the event loop's owner: <see cref="Open"/> reads
/// the state file before the engine exists, <see cref="Restore"/> seeds the new engine with it, and
/// <see cref="Observe"/> (on the loop, after each batch of work) hands a changed state to the background
/// <see cref="StateWriter"/>: two field reads when nothing changed, no I/O on the loop ever.
/// </summary>
public sealed class DaemonMemory : IDisposable
{
    private readonly RememberedState? _restored;
    private readonly StateWriter? _writer;
    private long _seenVersion = long.MinValue;
    private RememberedState? _offered;

    private DaemonMemory(RememberedState? restored, StateWriter? writer)
    {
        _restored = restored;
        _writer = writer;
    }

    /// <summary>What was read (null: nothing usable).</summary>
    public RememberedState? Restored => _restored;

    public StateWriter? Writer => _writer;

    /// <summary>Reads and validates <paramref name="path"/>; a stale or corrupt file is ignored with a
    /// warning, never a reason not to start.</summary>
    /// <param name="startThread">Starts the writer's thread (the daemon's supervisor); null: a plain thread.</param>
    public static DaemonMemory Open(string path, ILogger logger, Func<string, Action, Task>? startThread = null)
    {
        var bootId = StateFile.CurrentBootId();
        var read = StateFile.Read(path, bootId, StateFile.MonotonicMs());
        if (read.Warning is not null)
            logger.LogWarning("{Warning}", read.Warning);
        else if (read.State is null)
            logger.LogInformation("state file {Path}: none yet, nothing remembered", path);
        else
            logger.LogInformation("state file {Path}, written {Age:F1} s ago: {State}", path, read.Age?.TotalSeconds ?? 0, read.State);
        if (bootId is null)
        {
            logger.LogWarning("cannot read this boot's id; interface state is not kept across restarts");
            return new DaemonMemory(null, null);
        }
        return new DaemonMemory(read.State, new StateWriter(path, bootId, logger, startThread: startThread));
    }

    /// <summary>Seeds <paramref name="engine"/> (new, before its first event) with what was read.</summary>
    public IpmpEngine Restore(IpmpEngine engine)
    {
        if (_restored is not null) engine.Restore(_restored);
        return engine;
    }

    /// <summary>On the event loop after each batch: passes a changed state on to the writer.</summary>
    public void Observe(IpmpEngine engine)
    {
        if (_writer is null || !engine.Synchronised) return;
        var version = engine.MemoryVersion;
        if (version == _seenVersion) return;
        _seenVersion = version;
        var state = engine.Remember();
        if (state.Equals(_offered)) return;
        _offered = state;
        _writer.Offer(state);
    }

    /// <summary>Writes what is pending and stops the writer; the file stays (a stop and start keeps the memory).</summary>
    public void Dispose() => _writer?.Dispose();
}
