using Ipmp.Core.Engine;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.State;

/// <summary>
/// Writes the state file on a thread of its own, so that the event loop only hands over a value (a lock
/// and a pulse). The newest value wins: one offered while a write is under way, or within
/// <see cref="MinInterval"/> of the last write, is written once after it (a burst of changes — a failover,
/// a flapping link — costs a few writes, not one per change), and a value equal to what the file already
/// holds is not written again. A failed write is logged (rate-limited: the first, then at most one line per
/// <see cref="LogInterval"/> with the count in between), retried with a growing delay while there is a
/// value to write, and never stops the daemon.
/// </summary>
public sealed class StateWriter : IDisposable
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly string _path;
    private readonly string _bootId;
    private readonly ILogger _logger;
    private readonly Action<string, ReadOnlyMemory<byte>> _write;
    private readonly object _gate = new();
    private readonly Task _done;
    private RememberedState? _pending;
    private RememberedState? _written;
    private bool _stopping;
    private bool _writing;

    private int _failures;              // consecutive
    private int _unlogged;              // failures not logged since the last line
    private DateTime _lastLogged = DateTime.MinValue;

    /// <param name="write">The file write (tests replace it); <see cref="StateFile.Write"/> by default.</param>
    /// <param name="startThread">Starts the writer's thread and returns a task that ends with it (the daemon's
    /// <see cref="Runtime.Supervisor.StartThread"/>: an unexpected exception is a crash, not a silent end of the
    /// memory); null: a <see cref="Runtime.ThreadTask"/> whose end only <see cref="Done"/> shows.</param>
    public StateWriter(string path, string bootId, ILogger logger, Action<string, ReadOnlyMemory<byte>>? write = null,
        Func<string, Action, Task>? startThread = null)
    {
        _path = path;
        _bootId = bootId;
        _logger = logger;
        _write = write ?? ((p, bytes) => StateFile.Write(p, bytes.Span));
        _done = (startThread ?? Runtime.ThreadTask.Start)(ThreadName, Run);
    }

    public const string ThreadName = "ipmp state";

    public string Path => _path;

    /// <summary>Ends when the writer's thread does: after <see cref="Dispose"/>, or (a bug) with the exception
    /// that ended it.</summary>
    public Task Done => _done;

    /// <summary>Completed writes (tests, diagnostics).</summary>
    public long Writes { get; private set; }

    /// <summary>Hands over the newest state; returns at once.</summary>
    public void Offer(RememberedState state)
    {
        lock (_gate)
        {
            if (_stopping) return;
            _pending = state;
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        long notBefore = 0;   // Environment.TickCount64: MinInterval after a write, a backoff after a failure
        while (true)
        {
            RememberedState state;
            lock (_gate)
            {
                while (!_stopping)
                {
                    if (_pending is null)
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }
                    // The first change after a quiet time is written at once; later ones wait, and the
                    // newest of them is written.
                    var wait = notBefore - Environment.TickCount64;
                    if (wait <= 0) break;
                    Monitor.Wait(_gate, (int)wait);
                }
                if (_stopping) return;   // Dispose writes what is left
                state = _pending!;
                _pending = null;
                _writing = true;
            }
            var ok = WriteNow(state);
            lock (_gate)
            {
                _writing = false;
                Monitor.PulseAll(_gate);
                if (!ok && _pending is null) _pending = state;   // retry unless something newer came
            }
            notBefore = Environment.TickCount64 + (long)(ok ? MinInterval : RetryDelay()).TotalMilliseconds;
        }
    }

    private TimeSpan RetryDelay()
    {
        var seconds = Math.Min(MaxRetryDelay.TotalSeconds, Math.Pow(2, Math.Min(_failures, 10) - 1));
        return TimeSpan.FromSeconds(seconds);
    }

    private bool WriteNow(RememberedState state)
    {
        if (state.Equals(_written)) return true;
        try
        {
            var bytes = StateFile.Serialize(state, _bootId, StateFile.MonotonicMs(), DateTimeOffset.UtcNow);
            _write(_path, bytes);
            _written = state;
            if (_failures > 0)
                _logger.LogInformation("state file {Path} written again after {Failures} failed attempt(s)", _path, _failures);
            _failures = 0;
            _unlogged = 0;
            _logger.LogDebug("state file {Path}: {State}", _path, state);
            // Counted last: whoever sees the write counted also sees what it logged.
            Writes++;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            _failures++;
            var now = DateTime.UtcNow;
            if (_failures == 1 || now - _lastLogged >= LogInterval)
            {
                _logger.LogWarning("cannot write the state file {Path}: {Error}{More}; a restart would forget failures and offline interfaces",
                    _path, e.Message, _unlogged > 0 ? $" ({_unlogged} more failure(s) not logged)" : "");
                _lastLogged = now;
                _unlogged = 0;
            }
            else
            {
                _unlogged++;
            }
            return false;
        }
    }

    /// <summary>Stops the thread and writes what is still pending (a clean stop keeps the newest state).</summary>
    public void Dispose()
    {
        RememberedState? last;
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
            // A write under way finishes first (bounded: a write is one small file).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (_writing && DateTime.UtcNow < deadline) Monitor.Wait(_gate, TimeSpan.FromMilliseconds(50));
            last = _pending;
            _pending = null;
        }
        // Only once the thread is gone (it is not, if a write hangs on a dead disk: then give up).
        var ended = ((IAsyncResult)_done).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(2));
        if (ended && _done.IsCompletedSuccessfully && last is not null) WriteNow(last);
    }
}
