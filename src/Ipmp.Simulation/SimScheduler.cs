namespace Ipmp.Simulation;

/// <summary>Discrete-event queue: actions at simulated instants, run in time order (FIFO on ties).</summary>
public sealed class SimScheduler
{
    private readonly PriorityQueue<Action, (TimeSpan At, long Seq)> _queue = new();
    private long _seq;

    public TimeSpan? NextAt => _queue.TryPeek(out _, out var key) ? key.At : null;
    public int Pending => _queue.Count;

    public void At(TimeSpan at, Action action) => _queue.Enqueue(action, (at, _seq++));

    /// <summary>Runs everything due at or before <paramref name="now"/>, including what those actions schedule.</summary>
    public int RunDue(TimeSpan now)
    {
        var n = 0;
        while (_queue.TryPeek(out _, out var key) && key.At <= now)
        {
            _queue.Dequeue()();
            n++;
        }
        return n;
    }
}
