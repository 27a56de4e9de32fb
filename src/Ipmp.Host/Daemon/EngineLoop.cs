using Ipmp.Core.Engine;
using Ipmp.Core.Events;

namespace Ipmp.Host.Daemon;

/// <summary>
/// The daemon's single-threaded event loop (in.mpathd's poll loop) on a thread of its own: kernel events,
/// probe replies, control requests and the engine's timer are handled one at a time against the engine,
/// so the engine needs no locks. The thread sleeps until work arrives or the engine's next wake-up is due:
/// one wake-up per event, no timer thread and no thread-pool hops (which cost more CPU than the engine).
/// </summary>
public sealed class EngineLoop : IDisposable
{
    private abstract record Work;
    private sealed record EventWork(NetworkEvent Event) : Work;
    private sealed record CallWork(Action<IpmpEngine> Call) : Work;

    private readonly object _gate = new();   // a monitor: the loop sleeps with Monitor.Wait
    private readonly Queue<Work> _queue = new();
    private readonly List<Work> _batch = [];
    private bool _stopping;
    private bool _sleeping;

    public long EventsHandled { get; private set; }

    /// <summary>Called on the loop after every batch of work (metrics, tests).</summary>
    public Action<IpmpEngine>? AfterWork { get; set; }

    public void Post(NetworkEvent e) => Enqueue(new EventWork(e));

    private bool Enqueue(Work w)
    {
        lock (_gate)
        {
            if (_stopping) return false;
            _queue.Enqueue(w);
            if (_sleeping) Monitor.Pulse(_gate);
            return true;
        }
    }

    /// <summary>Runs <paramref name="call"/> on the loop and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<IpmpEngine, T> call)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = Enqueue(new CallWork(engine =>
        {
            try
            {
                tcs.SetResult(call(engine));
            }
            catch (Exception ex)
            {
                tcs.SetException(ex);
            }
        }));
        if (!posted) tcs.SetException(new ObjectDisposedException(nameof(EngineLoop)));
        return tcs.Task;
    }

    /// <summary>Runs until cancelled. The engine is created on the loop's thread by <paramref name="createEngine"/>.</summary>
    public Task RunAsync(Func<IpmpEngine> createEngine, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = ct.Register(Stop);
        var thread = new Thread(() =>
        {
            try
            {
                Loop(createEngine());
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
            finally
            {
                registration.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "ipmp engine",
        };
        thread.Start();
        return done.Task;
    }

    private void Loop(IpmpEngine engine)
    {
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0 && !_stopping)
                {
                    var delay = engine.NextWakeup is { } due ? due - engine.Now : Timeout.InfiniteTimeSpan;
                    if (delay != Timeout.InfiniteTimeSpan && delay <= TimeSpan.Zero) break;
                    _sleeping = true;
                    // Monitor.Wait rounds down to whole milliseconds; wake no earlier than due.
                    Monitor.Wait(_gate, delay == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Ceiling(delay.TotalMilliseconds));
                    _sleeping = false;
                }
                if (_stopping) return;
                _batch.AddRange(_queue);
                _queue.Clear();
            }
            foreach (var work in _batch)
            {
                switch (work)
                {
                    case EventWork e:
                        engine.Handle(e.Event);
                        EventsHandled++;
                        break;
                    case CallWork c:
                        c.Call(engine);
                        break;
                }
            }
            _batch.Clear();
            // A timer round can make more work due at once (a loss deadline): run until nothing is.
            for (var i = 0; i < 16 && engine.NextWakeup is { } due && due <= engine.Now; i++) engine.OnTimer();
            AfterWork?.Invoke(engine);
        }
    }

    private void Stop()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose() => Stop();
}
