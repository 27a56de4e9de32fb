using System.Net;
using Ipmp.Bench.Probes;
using Ipmp.Core.Status;

namespace Ipmp.Bench.Tests;

public sealed class ProbeTallyTests
{
    private static readonly IPAddress Target = IPAddress.Parse("192.168.10.1");

    private static ProbeEvent E(string nic, ushort id, ProbeEventState state, double sentMs = 0, double? receivedMs = null) =>
        new(id, nic, state, TimeSpan.FromMilliseconds(sentMs), TimeSpan.FromMilliseconds(sentMs),
            receivedMs is { } r ? TimeSpan.FromMilliseconds(r) : null, receivedMs is { } p ? TimeSpan.FromMilliseconds(p + 0.1) : null,
            Target, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5));

    [Fact]
    public void Counts_only_inside_the_window_but_remembers_answers_while_settling()
    {
        var t = new ProbeTally();
        t.Add(E("net0", 1, ProbeEventState.Acked, 0, 3));
        Assert.True(t.HasAnswer("net0"));
        Assert.False(t.HasAnswer("net1"));
        t.Open();
        t.Add(E("net0", 2, ProbeEventState.Sent, 100));
        t.Add(E("net0", 2, ProbeEventState.Acked, 100, 112.5));
        t.Add(E("net1", 7, ProbeEventState.Sent, 100));
        t.Close();
        t.Add(E("net1", 7, ProbeEventState.Lost, 100));
        var c = t.Counts;
        Assert.Equal((2L, 1L, 0L, 2L), (c.Sent, c.Acked, c.LostEvents, c.OutsideWindow));
        Assert.Equal([12.5], c.RttMs);
        Assert.Equal(["192.168.10.1"], c.Targets);
        Assert.Equal(10, c.LastRttAverage!.Value.TotalMilliseconds);
    }

    [Fact]
    public void A_lost_probe_answered_late_is_counted_apart_from_one_that_stays_lost()
    {
        var t = new ProbeTally();
        t.Open();
        t.Add(E("net0", 5, ProbeEventState.Sent));
        t.Add(E("net0", 5, ProbeEventState.Lost));
        t.Add(E("net1", 5, ProbeEventState.Sent));
        t.Add(E("net1", 5, ProbeEventState.Lost));   // same id on another NIC: a different probe
        t.Add(E("net0", 5, ProbeEventState.Acked, 0, 25));
        t.Add(E("net0", 6, ProbeEventState.Acked, 0, -0.1));   // receive stamp before the send time
        var c = t.Counts;
        Assert.Equal((2L, 1L, 1L), (c.LostEvents, c.LateAcked, c.StillLost));
        Assert.Equal([25.0, -0.1], c.RttMs);
    }
}
