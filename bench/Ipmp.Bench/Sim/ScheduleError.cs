namespace Ipmp.Bench.Sim;

/// <summary>
/// How far one probe instance's send times are from the ideal illumos schedule: the slot base B moves by
/// exactly I = FDT/7 per probe, and probe k leaves in the window [B + k·I + 0.5 I, B + (k+1)·I]. B is not
/// observable, so it is fitted: the highest base that no send contradicts as too late, B = max_k (t_k − (k+1)·I).
/// The error of a send is its distance outside its window (0 inside). A schedule that keeps to the rule has
/// every error 0; drift, a skipped slot or a burst shows as errors of up to an interval.
/// </summary>
public static class ScheduleError
{
    public static List<double> Of(IReadOnlyList<double> sendTimes, double interval)
    {
        if (interval <= 0) throw new ArgumentOutOfRangeException(nameof(interval));
        var errors = new List<double>();
        if (sendTimes.Count == 0) return errors;
        var b = double.MinValue;
        for (var k = 0; k < sendTimes.Count; k++) b = Math.Max(b, sendTimes[k] - (k + 1) * interval);
        for (var k = 0; k < sendTimes.Count; k++)
        {
            var start = b + (k + 0.5) * interval;
            var end = b + (k + 1) * interval;
            var t = sendTimes[k];
            errors.Add(t < start ? start - t : t > end ? t - end : 0);
        }
        return errors;
    }

    /// <summary>Sends made divided by the slots that passed between the first and the last send
    /// (1.0: no slot lost, none added). Between sends 0 and n−1 lie n−1 intervals on average.</summary>
    public static double RateRatio(IReadOnlyList<double> sendTimes, double interval)
    {
        if (sendTimes.Count < 2) return double.NaN;
        var slots = Math.Round((sendTimes[^1] - sendTimes[0]) / interval);
        return (sendTimes.Count - 1) / Math.Max(1, slots);
    }
}
