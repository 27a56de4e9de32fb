using Ipmp.Linux.Polling;

namespace Ipmp.Host.Runtime;

/// <summary>
/// Work handed to the event loop from other threads (control requests, reloads, the route worker's
/// results): a bounded queue and an eventfd doorbell that wakes the loop's epoll. Beyond the bound an item
/// is refused and counted; nothing fed from the network can grow it without limit.
/// </summary>
public sealed class LoopInbox(int capacity = 1024) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Queue<Action> _queue = new();
    private bool _closed;

    public EventFd Doorbell { get; } = EventFd.Create();
    public long Refused { get; private set; }

    /// <summary>False when the loop has stopped or the queue is full.</summary>
    public bool TryPost(Action work)
    {
        lock (_lock)
        {
            if (_closed || _queue.Count >= capacity)
            {
                Refused++;
                return false;
            }
            _queue.Enqueue(work);
        }
        Doorbell.Ring();
        return true;
    }

    /// <summary>On the loop: everything queued now (later posts ring again).</summary>
    public void Drain(List<Action> into)
    {
        Doorbell.Clear();
        lock (_lock)
        {
            into.AddRange(_queue);
            _queue.Clear();
        }
    }

    public void Close()
    {
        lock (_lock) _closed = true;
    }

    public void Dispose()
    {
        Close();
        Doorbell.Dispose();
    }
}
