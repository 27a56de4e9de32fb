namespace Ipmp.Core.Probing;

/// <summary>
/// The ring of the last <see cref="Capacity"/> unicast probes of one instance (illumos PROBE_STATS_COUNT
/// = 52), and the counts the failure and repair decisions are made from.
/// </summary>
public sealed class ProbeHistory
{
    public const int Capacity = 10 * 5 + 2;
    private readonly ProbeRecord[] _ring = new ProbeRecord[Capacity];
    private int _next;          // slot the next probe goes into
    private int _count;         // slots written since the last clear

    /// <summary>Sequence number of the next unicast probe; starts at 1 as in illumos.</summary>
    public ushort NextSequence { get; private set; } = 1;

    public int Count => _count;

    public ref ProbeRecord Add(ProbeTarget target, TimeSpan start, TimeSpan sent)
    {
        ref var r = ref _ring[_next];
        r = new ProbeRecord
        {
            Sequence = NextSequence, Target = target, Start = start, Sent = sent, Status = ProbeRecordStatus.Unacked,
        };
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
        NextSequence++;
        return ref r;
    }

    /// <summary>The i-th most recent record (0 = newest). Valid for i &lt; <see cref="Count"/>.</summary>
    public ref ProbeRecord Recent(int i) => ref _ring[((_next - 1 - i) % Capacity + Capacity) % Capacity];

    /// <summary>Finds the slot of a reply's sequence number: only the last 52 probes are in the window.</summary>
    public bool TryFind(ushort sequence, out int age)
    {
        var distance = (ushort)(NextSequence - sequence);
        age = distance - 1;
        if (distance == 0 || distance > _count) return false;
        return Recent(age).Sequence == sequence;
    }

    /// <summary>Forget all outcomes (link down, failure) so that old successes cannot count towards a repair.</summary>
    public void Clear()
    {
        Array.Clear(_ring);
        _count = 0;
    }

    /// <summary>Index of the most recent resolved (acked or lost) record, or -1.</summary>
    public int NewestResolved()
    {
        for (var i = 0; i < _count; i++)
        {
            var s = Recent(i).Status;
            if (s is ProbeRecordStatus.Acked or ProbeRecordStatus.Lost) return i;
        }
        return -1;
    }

    /// <summary>Consecutive records with <paramref name="status"/> from the newest resolved one back, and the
    /// start time of the oldest of them.</summary>
    public (int Run, TimeSpan? OldestStart) RunOf(ProbeRecordStatus status, ProbeTarget? target = null)
    {
        var run = 0;
        TimeSpan? oldest = null;
        var start = NewestResolved();
        if (start < 0) return (0, null);
        for (var i = start; i < _count; i++)
        {
            ref var r = ref Recent(i);
            if (target is not null && !ReferenceEquals(r.Target, target)) continue;
            if (r.Status == ProbeRecordStatus.Unacked) continue;
            if (r.Status != status) break;
            run++;
            oldest = r.Start;
        }
        return (run, oldest);
    }

    /// <summary>Time of the newest acked probe's start, for the group-failure evidence rule.</summary>
    public TimeSpan? LastAckedStart()
    {
        for (var i = 0; i < _count; i++)
            if (Recent(i).Status == ProbeRecordStatus.Acked) return Recent(i).Start;
        return null;
    }
}
