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

    /// <param name="Gap">The longest echo silence in the trial's window (100 ms before the pull to 250 ms after the move).</param>
    /// <param name="Outage">The echo silence across the failover: the longest that overlaps 2 ms before the carrier
    /// loss to 2 ms after the move (the margins absorb the stamping threads' own delays).</param>
    /// <param name="Quiet">The longest silence in the 100 ms before the pull: the lab's own hiccups, no failover.</param>
    public sealed record Samples(string Subject, List<double> Move, List<double> Garp, List<double> Gap, int Failed, string? Error)
    {
        public List<double> Outage { get; init; } = [];
        public List<double> Quiet { get; init; } = [];
    }

    /// <param name="background">Started once the subject holds its address, disposed at the end: load that
    /// runs during every trial (route churn).</param>
    public static Samples Run(IFailoverSubject subject, int trials, TextWriter log, CancellationToken ct,
        Func<NamespaceLab, IDisposable>? background = null)
    {
        var move = new List<double>();
        var garp = new List<double>();
        var gap = new List<double>();
        var outage = new List<double>();
        var quiet = new List<double>();
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
                        var (silence, after) = echo.LongestGap(mark - Stopwatch.Frequency / 10);
                        gap.Add(Ms(silence));
                        var stamps = echo.Stamps();
                        var margin = Stopwatch.Frequency / 500;
                        outage.Add(Ms(UdpEchoClient.LongestGapOverlapping(stamps, l - margin, a + margin)));
                        quiet.Add(Ms(UdpEchoClient.LongestGapWithin(stamps, mark - Stopwatch.Frequency / 10, mark)));
                        // Where a long silence fell (from the carrier loss), for the figure's tail.
                        if (Ms(silence) > 5)
                            log.WriteLine($"    {subject.Name} trial {t}: echo silent {Ms(silence):F1} ms from {Ms(after - l):F1} ms after the carrier loss (address moved at {Ms(a - l):F2} ms)");
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
                    return new Samples(subject.Name, move, garp, gap, failed + trials - t - 1, $"no failback to net0 after trial {t}") { Outage = outage, Quiet = quiet };
                events.Trim(Stopwatch.GetTimestamp() - Stopwatch.Frequency * 5);
                capture.Clear();
            }
            return new Samples(subject.Name, move, garp, gap, failed, null) { Outage = outage, Quiet = quiet };
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
        var outage = Summary.Of(s.Outage);
        report.Add(new Figure(section, "client gap across the failover (1 kHz UDP echo)", "ms")
        {
            Stats = outage, Samples = s.Outage,
            Target = ours ? "p99 <= 5 ms" : null, Met = ours && outage is not null ? outage.P99 <= 5.0 : null,
            Note = "the longest echo silence overlapping 2 ms before the carrier loss to 2 ms after the move",
        });
        report.Add(new Figure(section, "longest gap of a 1 kHz UDP echo", "ms")
        {
            Stats = gap, Samples = s.Gap,
            Note = "anywhere from 100 ms before the pull to 250 ms after the move: the lab's own hiccups count too",
        });
        report.Add(new Figure(section, "longest echo gap in the 100 ms before the pull (no failover)", "ms")
        {
            Stats = Summary.Of(s.Quiet), Samples = s.Quiet,
            Note = "the lab's noise floor: the echo client, server and stampers share 2 CPUs with the daemon",
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
        Ratio("client gap across the failover", ours.Outage, peer.Outage);
    }
}
