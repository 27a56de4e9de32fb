using Ipmp.Cli.Stat;
using Ipmp.Core.Status;
using static Ipmp.Cli.Tests.Stat.ExampleScenario;
using static Ipmp.Cli.Tests.Stat.StatRunner;

namespace Ipmp.Cli.Tests.Stat;

public sealed class ProbeRowTests
{
    private static readonly TimeSpan Start = TimeSpan.FromSeconds(50);

    private static ProbeEvent Acked(ushort id, double startMs, string target = "10.0.0.1", double? avg = 1.5, double? dev = 0.25) =>
        new(id, "net0", ProbeEventState.Acked, Start + Ms(startMs), Start + Ms(startMs + 0.1),
            Start + Ms(startMs + 0.6), Start + Ms(startMs + 0.9), Ip(target), avg is { } a ? Ms(a) : null, dev is { } d ? Ms(d) : null);

    [Fact]
    public void AllFieldsIncludeRttdevAndZeroAveragesAreEmpty()
    {
        ProbeEvent[] events = [Acked(1, 1234.5), Acked(65535, 0, avg: 0, dev: 0), Acked(2, 10, avg: null, dev: null)];
        const string expected = """
            TIME      INTERFACE   PROBE  NETRTT    RTT       RTTAVG    TARGET              RTTDEV
            1.23s     net0        1      0.50ms    0.90ms    1.50ms    10.0.0.1            0.25ms
            0.00s     net0        65535  0.50ms    0.90ms    --        10.0.0.1            --
            0.01s     net0        2      0.50ms    0.90ms    --        10.0.0.1            --

            """;
        Assert.Equal(expected, RunProbes("-pn -o all", events, Start));
    }

    [Fact]
    public void StreamingKeepsTheHeaderRhythmAcrossCalls()
    {
        var stream = new IpmpStatRenderer(new FakeHostNameResolver(), rows: 3).CreateProbeStream(Options("-pn -o probe,target"), Start);
        Assert.Equal("PROBE  TARGET\n1      10.0.0.1\n", stream.Format(Acked(1, 0)));
        Assert.Equal("", stream.Format(Acked(2, 0) with { State = ProbeEventState.Sent }));
        Assert.Equal("2      10.0.0.1\n", stream.Format(Acked(2, 0)));
        Assert.Equal("PROBE  TARGET\n3      10.0.0.1\n", stream.Format(Acked(3, 0)));
        stream.Rows = 24;
        Assert.Equal("4      10.0.0.1\n", stream.Format(Acked(4, 0)));
    }

    [Fact]
    public void AckedEventWithoutAckTimesPrintsQuestionMarksAndWarns()
    {
        ProbeEvent e = Acked(7, 0) with { AckReceived = null, AckProcessed = null };
        var warnings = new StringWriter();
        Assert.Equal("7:?:?\n", RunProbes("-pnP -o probe,netrtt,rtt", [e], Start, warnings: warnings));
        Assert.Equal("ipmpstat: warning: cannot retrieve IPMP_PROBE_ACKRECV_TIME\n" +
                     "ipmpstat: warning: cannot retrieve IPMP_PROBE_ACKPROC_TIME\n", warnings.ToString());
    }

    [Fact]
    public void ParsableEscapesAnIpv6TargetAndJsonDoesNot()
    {
        ProbeEvent e = Acked(9, -2500, "fe80::1");
        Assert.Equal("-2.50s:9:fe80\\:\\:1\n", RunProbes("-pnP -o time,probe,target", [e], Start));
        Assert.Equal("fe80::1\n", RunProbes("-pnP -o target", [e], Start));
        Assert.Equal("""{"time":"-2.50s","netrtt":"0.50ms","target":"fe80::1"}""" + "\n",
            RunProbes("-pnj -o time,netrtt,target", [e], Start));
    }

    [Fact]
    public void LostProbeRowIsShownSentIsNot()
    {
        var lost = new ProbeEvent(3, "net0", ProbeEventState.Lost, Start - Ms(1), Start, null, null, Ip("0.0.0.0"), Ms(2), Ms(1));
        Assert.Equal("-0.00s:3:::2.00ms:0.0.0.0:1.00ms\n", RunProbes("-pnP -o time,probe,netrtt,rtt,rttavg,target,rttdev",
            [lost, lost with { State = ProbeEventState.Sent }], Start));
    }

    [Fact]
    public void TargetIsResolvedWithoutNumeric()
    {
        var resolver = new FakeHostNameResolver(new Dictionary<string, string> { ["10.0.0.1"] = "gw" });
        Assert.Equal("gw\n", RunProbes("-pP -o target", [Acked(1, 0)], Start, resolver));
    }

    [Fact]
    public void ProbeStreamNeedsProbeOptions() =>
        Assert.Throws<ArgumentException>(() => new IpmpStatRenderer().CreateProbeStream(Options("-a"), Start));
}
