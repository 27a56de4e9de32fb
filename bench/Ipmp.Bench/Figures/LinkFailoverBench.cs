using System.Diagnostics;
using System.Net;
using Ipmp.Bench.Lab;
using Ipmp.Bench.Peers;
using Ipmp.Bench.Results;
using Ipmp.Bench.Stats;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

/// <summary>
/// Figures 1 and 6: a cable pull on net0 (the switch-side veth goes down), repeated. Per trial, on one clock
/// (Stopwatch): carrier lost on net0 and the data address added on another NIC, both from rtnetlink events
/// in the host namespace; the first gratuitous ARP for it from another MAC, from an AF_PACKET socket in the
/// client namespace; and the longest silence of a 1 kHz UDP echo from the client to the data address.
/// Between trials the cable goes back in and the address must be home again.
/// </summary>
public static class LinkFailoverBench
{
    public const string Address = "192.168.10.50";

    public sealed record Samples(string Subject, List<double> Move, List<double> Garp, List<double> Gap, int Failed, string? Error);

    /// <param name="background">Started once the subject holds its address, disposed at the end: load that
    /// runs during every trial (route churn).</param>
    public static Samples Run(IFailoverSubject subject, int trials, TextWriter log, CancellationToken ct,
        Func<NamespaceLab, IDisposable>? background = null)
    {
        var move = new List<double>();
        var garp = new List<double>();
        var gap = new List<double>();
        var failed = 0;
        using var lab = new NamespaceLab(nics: 3);
        try
        {
            subject.Start(lab);
            if (!WaitHolder(lab, "net0", TimeSpan.FromSeconds(15)))
                return new Samples(subject.Name, move, garp, gap, trials, $"{Address} never appeared on net0: {lab.Describe()}");
            using var load = background?.Invoke(lab);
            using var events = new KernelEvents(lab.HostNs);
            using var capture = new GarpCapture(lab.ClientNs);
            using var server = new EchoServer(lab.HostNs, 7001, IPAddress.Parse(Address));
            // Pulls through one long-lived ip: starting an ip process per pull put a process start (and its
            // exit) on the 2 CPUs at the very moment the failover is measured.
            using var cable = lab.SwitchBatch();
            var port0 = NamespaceLab.Port("net0");
            var net0 = int.Parse(Shell.Ip("-n", lab.HostNs, "-o", "link", "show", "net0").Split(':')[0]);
            var net0Mac = lab.Mac("net0");
            for (var t = 0; t < trials && !ct.IsCancellationRequested; t++)
            {
                Thread.Sleep(subject.Settle);
                using (var echo = new UdpEchoClient(lab.ClientNs, Address, 7001))
                {
                    // No collection of the bench's own heap while a trial is measured: a pause would stop the
                    // echo client, the echo server and the stamping threads, and count as the daemon's gap.
                    // Starting the region collects once, here, well before the gap's window (mark - 100 ms).
                    using var noGc = NoCollection.Start();
                    Thread.Sleep(150);
                    var mark = Stopwatch.GetTimestamp();
                    cable.Send($"link set {port0} down");
                    var lost = events.WaitFor(e => KernelEvents.CarrierLost(e, net0), mark, TimeSpan.FromSeconds(2));
                    var added = events.WaitFor(e => KernelEvents.AddressAdded(e, Address, i => i != net0), mark, subject.MoveTimeout);
                    var announced = added is null ? null : capture.WaitFor(Address, mark, TimeSpan.FromSeconds(2), notFromMac: net0Mac);
                    Thread.Sleep(250);
                    if (lost is { } l && added is { } a)
                    {
                        move.Add(Ms(a - l));
                        if (announced is { } g) garp.Add(Ms(g - l));
                        gap.Add(echo.LongestGapMs(mark - Stopwatch.Frequency / 10));
                    }
                    else
                    {
                        failed++;
                        log.WriteLine($"    {subject.Name} trial {t}: carrier {(lost is null ? "not seen" : "lost")}, address {(added is null ? "did not move" : "moved")}");
                    }
                }
                cable.Send($"link set {port0} up");
                cable.Sync(TimeSpan.FromSeconds(10));
                if (!WaitHolder(lab, "net0", TimeSpan.FromSeconds(15)))
                    return new Samples(subject.Name, move, garp, gap, failed + trials - t - 1, $"no failback to net0 after trial {t}");
                events.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 5);
                capture.Clear();
            }
            return new Samples(subject.Name, move, garp, gap, failed, null);
        }
        finally
        {
            subject.Dispose();
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static bool WaitHolder(NamespaceLab lab, string nic, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (lab.Holder(Address) == nic) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    public static void Report(BenchReport report, Samples s, bool ours)
    {
        var section = ours ? "1 link failover" : $"6 peer {s.Subject}";
        var note = s.Failed > 0 ? $"{s.Failed} trial(s) failed" : null;
        if (s.Error is not null) note = (note is null ? "" : note + "; ") + s.Error;
        var move = Summary.Of(s.Move);
        var garp = Summary.Of(s.Garp);
        var gap = Summary.Of(s.Gap);
        report.Add(new Figure(section, "carrier lost -> address on new NIC (netlink)", "ms")
        {
            Stats = move, Samples = s.Move, Note = note,
            Target = ours ? "p99 <= 1 ms" : null, Met = ours && move is not null ? move.P99 <= 1.0 : null,
        });
        report.Add(new Figure(section, "carrier lost -> first GARP on the wire", "ms")
        {
            Stats = garp, Samples = s.Garp,
            Target = ours ? "p99 <= 1.5 ms" : null, Met = ours && garp is not null ? garp.P99 <= 1.5 : null,
            Note = garp is null ? "no gratuitous ARP seen" : null,
        });
        report.Add(new Figure(section, "longest gap of a 1 kHz UDP echo", "ms")
        {
            Stats = gap, Samples = s.Gap,
            Target = ours ? "p99 <= 5 ms" : null, Met = ours && gap is not null ? gap.P99 <= 5.0 : null,
        });
    }

    /// <summary>ours/theirs of the medians and p99s (below 1: we are faster).</summary>
    public static void ReportRatio(BenchReport report, Samples ours, Samples peer)
    {
        void Ratio(string name, List<double> a, List<double> b)
        {
            var (sa, sb) = (Summary.Of(a), Summary.Of(b));
            if (sa is null || sb is null)
            {
                report.Add(new Figure($"6 peer {peer.Subject}", $"ratio ours/theirs: {name}", "ratio") { Unavailable = "no samples on one side" });
                return;
            }
            report.Add(new Figure($"6 peer {peer.Subject}", $"ratio ours/theirs: {name} (median; p99 in note)", "ratio")
            {
                Value = sa.Median / sb.Median,
                Note = $"p99 ratio {sa.P99 / sb.P99:F4}; ours median {sa.Median:F3} ms, theirs {sb.Median:F3} ms",
            });
        }
        Ratio("address moved", ours.Move, peer.Move);
        Ratio("first GARP", ours.Garp, peer.Garp);
        Ratio("UDP echo gap", ours.Gap, peer.Gap);
    }
}
