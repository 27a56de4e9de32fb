namespace Ipmp.Lab;

/// <summary>
/// Replies waiting for their due time, taken in due-time order (ties in arrival order), so a request that
/// drew a short delay overtakes an earlier one that drew a long delay, as on a jittery path. Bounded: when
/// full, a new reply is refused (the caller counts it as dropped) rather than growing without limit.
/// Not thread-safe: the responder's thread owns it.
/// </summary>
public sealed class PendingReplies<T>
{
    private readonly PriorityQueue<T, (long Due, long Order)> _queue = new();
    private long _order;

    public PendingReplies(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }
    public int Count => _queue.Count;

    /// <summary>Queues <paramref name="item"/> for <paramref name="due"/> (any monotonic tick unit); false when full.</summary>
    public bool TryAdd(long due, T item)
    {
        if (_queue.Count >= Capacity) return false;
        _queue.Enqueue(item, (due, _order++));
        return true;
    }

    /// <summary>The earliest due time, or null when nothing waits.</summary>
    public long? NextDue => _queue.TryPeek(out _, out var p) ? p.Due : null;

    /// <summary>Takes the earliest reply if it is due at <paramref name="now"/>.</summary>
    public bool TryTakeDue(long now, out T item, out long due)
    {
        if (_queue.TryPeek(out item!, out var p) && p.Due <= now)
        {
            _queue.Dequeue();
            due = p.Due;
            return true;
        }
        item = default!;
        due = 0;
        return false;
    }
}
