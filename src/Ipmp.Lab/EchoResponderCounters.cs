namespace Ipmp.Lab;

/// <summary>What a <see cref="DelayedEchoResponder"/> did: requests taken, replies sent, and the delays it
/// really applied (from reading the request to sending the reply, user-space stamps), in 1 ms buckets.</summary>
/// <param name="Requests">Echo requests accepted into the queue.</param>
/// <param name="Replies">Replies sent.</param>
/// <param name="Dropped">Requests refused because the queue of pending replies was full (real losses).</param>
/// <param name="SendErrors">Replies the kernel refused to send (real losses).</param>
/// <param name="Ignored">ICMP messages that were not valid echo requests.</param>
/// <param name="DelayHistogramMs">Count of replies whose applied delay fell in [i, i+1) ms; the last bucket holds the rest.</param>
/// <param name="MaxLateMs">The largest amount a reply left after its drawn due time (the responder's own scheduling).</param>
public sealed record EchoResponderCounters(
    long Requests,
    long Replies,
    long Dropped,
    long SendErrors,
    long Ignored,
    IReadOnlyList<long> DelayHistogramMs,
    double MaxLateMs)
{
    /// <summary>The smallest delay bucket (ms) at or below which <paramref name="percent"/> % of replies fall, or null.</summary>
    public int? DelayPercentileMs(double percent)
    {
        var total = DelayHistogramMs.Sum();
        if (total == 0) return null;
        var rank = (long)Math.Ceiling(percent / 100.0 * total);
        long seen = 0;
        for (var i = 0; i < DelayHistogramMs.Count; i++)
        {
            seen += DelayHistogramMs[i];
            if (seen >= Math.Max(1, rank)) return i;
        }
        return DelayHistogramMs.Count - 1;
    }
}
