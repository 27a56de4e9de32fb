using System.Net;
using Ipmp.Core.Probing;

namespace Ipmp.Core.Tests.Units;

/// <summary>The 52-slot ring of unicast probes (reference 3.6) and the runs that failure and repair use.</summary>
public class ProbeHistoryTests
{
    private static readonly ProbeTarget A = new(IPAddress.Parse("192.168.10.1"), TargetKind.Router, TimeSpan.Zero);
    private static readonly ProbeTarget B = new(IPAddress.Parse("192.168.10.3"), TargetKind.Router, TimeSpan.Zero);

    private static ProbeHistory With(params (ProbeTarget T, ProbeRecordStatus S)[] records)
    {
        var h = new ProbeHistory();
        var t = TimeSpan.Zero;
        foreach (var (target, status) in records)
        {
            t += TimeSpan.FromMilliseconds(100);
            h.Add(target, t, t).Status = status;
        }
        return h;
    }

    [Fact]
    public void Sequence_starts_at_one()
    {
        var h = new ProbeHistory();
        Assert.Equal(1, h.NextSequence);
        Assert.Equal(1, h.Add(A, TimeSpan.Zero, TimeSpan.Zero).Sequence);
        Assert.Equal(2, h.NextSequence);
        Assert.Equal(52, ProbeHistory.Capacity);
    }

    [Fact]
    public void Sequence_wraps_at_16_bits_and_the_window_follows_it()
    {
        var h = new ProbeHistory();
        for (var i = 0; i < 65534; i++) h.Add(A, TimeSpan.Zero, TimeSpan.Zero);
        Assert.Equal(65535, h.NextSequence);
        h.Add(A, TimeSpan.Zero, TimeSpan.Zero);            // 65535
        Assert.Equal(0, h.NextSequence);
        Assert.Equal(0, h.Add(A, TimeSpan.Zero, TimeSpan.Zero).Sequence);
        Assert.Equal(1, h.Add(A, TimeSpan.Zero, TimeSpan.Zero).Sequence);
        Assert.True(h.TryFind(65535, out var age));
        Assert.Equal(2, age);
        Assert.True(h.TryFind(0, out age));
        Assert.Equal(1, age);
    }

    [Fact]
    public void Only_the_last_52_probes_are_in_the_window()
    {
        var h = new ProbeHistory();
        for (var i = 0; i < 60; i++) h.Add(A, TimeSpan.Zero, TimeSpan.Zero);   // sequences 1..60
        Assert.Equal(52, h.Count);
        Assert.True(h.TryFind(60, out var age));
        Assert.Equal(0, age);
        Assert.True(h.TryFind(9, out age));          // snxt - 52
        Assert.Equal(51, age);
        Assert.Equal(9, h.Recent(age).Sequence);
        Assert.False(h.TryFind(8, out _));           // one too old
        Assert.False(h.TryFind(61, out _));          // not sent yet (snxt)
        Assert.False(h.TryFind(5000, out _));
    }

    [Fact]
    public void A_fresh_or_cleared_history_finds_nothing_but_keeps_counting()
    {
        var h = new ProbeHistory();
        Assert.False(h.TryFind(0, out _));
        for (var i = 0; i < 5; i++) h.Add(A, TimeSpan.Zero, TimeSpan.Zero);
        h.Clear();
        Assert.Equal(0, h.Count);
        Assert.False(h.TryFind(5, out _));
        Assert.Equal(-1, h.NewestResolved());
        Assert.Equal(6, h.NextSequence);
    }

    [Fact]
    public void Runs_count_back_from_the_newest_resolved_probe_skipping_unacked_ones()
    {
        var h = With((A, ProbeRecordStatus.Acked), (A, ProbeRecordStatus.Lost), (B, ProbeRecordStatus.Lost),
            (A, ProbeRecordStatus.Lost), (B, ProbeRecordStatus.Unacked));
        Assert.Equal(1, h.NewestResolved());
        var (run, oldest) = h.RunOf(ProbeRecordStatus.Lost);
        Assert.Equal(3, run);
        Assert.Equal(TimeSpan.FromMilliseconds(200), oldest);     // start of the first failure (tff)
        Assert.Equal(0, h.RunOf(ProbeRecordStatus.Acked).Run);
        Assert.Equal(2, h.RunOf(ProbeRecordStatus.Lost, A).Run);  // per target
        Assert.Equal(1, h.RunOf(ProbeRecordStatus.Lost, B).Run);
        Assert.Equal(TimeSpan.FromMilliseconds(100), h.LastAckedStart());
    }

    [Fact]
    public void A_run_of_acks_for_repair()
    {
        var records = Enumerable.Repeat((A, ProbeRecordStatus.Lost), 3)
            .Concat(Enumerable.Repeat((A, ProbeRecordStatus.Acked), 10)).ToArray();
        var h = With(records);
        Assert.Equal(10, h.RunOf(ProbeRecordStatus.Acked).Run);
        Assert.Equal(10, h.RunOf(ProbeRecordStatus.Acked, A).Run);
        Assert.Equal(0, new ProbeHistory().RunOf(ProbeRecordStatus.Acked).Run);
    }
}
