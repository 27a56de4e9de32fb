using System.Threading.Channels;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;

namespace Ipmp.Host.Daemon;

/// <summary>
/// The daemon's single-threaded event loop (in.mpathd's poll loop): kernel events, probe replies, control
/// requests and the engine's timer all become work items that run one at a time against the engine, so the
/// engine needs no locks. One timer is re-armed to the engine's next wake-up after every item.
/// </summary>
public sealed class EngineLoop : IDisposable
{
    private abstract record Work;
    private sealed record EventWork(NetworkEvent Event) : Work;
    private sealed record CallWork(Action<IpmpEngine> Call) : Work;
    private sealed record TimerWork : Work
    {
        public static readonly TimerWork Instance = new();
    }

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new() { SingleReader = true });
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private IpmpEngine? _engine;

    public EngineLoop(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => _work.Writer.TryWrite(TimerWork.Instance), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public long EventsHandled { get; private set; }

    /// <summary>Called on the loop after every work item (metrics, tests).</summary>
    public Action<IpmpEngine>? AfterWork { get; set; }

    public void Post(NetworkEvent e) => _work.Writer.TryWrite(new EventWork(e));

    /// <summary>Runs <paramref name="call"/> on the loop and returns its result.</summary>
    public Task<T> InvokeAsync<T>(Func<IpmpEngine, T> call)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _work.Writer.TryWrite(new CallWork(engine =>
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

    /// <summary>Runs until cancelled. The engine is created on the loop by <paramref name="createEngine"/>.</summary>
    public async Task RunAsync(Func<IpmpEngine> createEngine, CancellationToken ct)
    {
        _engine = createEngine();
        Rearm();
        var reader = _work.Reader;
        try
        {
            while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (reader.TryRead(out var work))
                {
                    switch (work)
                    {
                        case EventWork e:
                            _engine.Handle(e.Event);
                            EventsHandled++;
                            break;
                        case CallWork c:
                            c.Call(_engine);
                            break;
                        case TimerWork:
                            break;
                    }
                    RunDueTimers();
                    AfterWork?.Invoke(_engine);
                }
                Rearm();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void RunDueTimers()
    {
        var engine = _engine!;
        // A timer round can schedule work that is already due (a loss deadline): run until nothing is.
        for (var i = 0; i < 16 && engine.NextWakeup is { } due && due <= engine.Now; i++) engine.OnTimer();
    }

    private void Rearm()
    {
        if (_engine?.NextWakeup is not { } due)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var delay = due - _engine.Now;
        _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _work.Writer.TryComplete();
        _timer.Dispose();
    }
}
