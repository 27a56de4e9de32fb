using System.Net;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Replies that must never count as an answered probe (reference 3.4, 3.6).</summary>
public class ProbeReplyTests
{
    private static readonly IPAddress Router = IPAddress.Parse("192.168.10.1");

    /// <summary>A probing NIC whose router has just gone silent, so no genuine reply interferes; returns the
    /// last unicast probe net0 sent and the reply the router would have sent to it.</summary>
    private static (Simulation.Simulation Sim, ProbePacket Sent, byte[] Reply) Quiet()
    {
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(10)));
        sim.RunFor(TimeSpan.FromSeconds(5));
        sim.Do(n => n.Host("router").AnswersEcho = false);
        // Stop at the instant net0 sends its next probe: a reply fed now is in time.
        var from = sim.Network.Journal.Count;
        Assert.NotNull(sim.RunUntil(() => sim.Network.Journal.Skip(from)
            .Any(j => j.Command is Commands.SendProbe { Interface: "net0" } p && p.Destination.Equals(Router)), TimeSpan.FromSeconds(5)));
        var bytes = sim.Network.Journal.Select(j => j.Command).OfType<Commands.SendProbe>()
            .Last(p => p.Interface == "net0" && p.Destination.Equals(Router)).Icmp.ToArray();
        var reply = ProbePacket.MakeEchoReply(bytes, false);
        Assert.True(ProbePacket.TryDecodeReply(reply, false, out var sent, out _));
        Assert.Equal(ProbeKind.Unicast, sent.Kind);
        return (sim, sent, reply);
    }

    private static void Feed(Simulation.Simulation sim, IPAddress from, byte[] icmp) =>
        sim.Do(n => n.Events.Enqueue(new ProbeReplyReceived("net0", from, icmp, sim.Now)));

    private static byte[] Forge(ProbePacket p) => (p with { IsReply = true }).Encode();

    [Fact]
    public void The_genuine_reply_counts_which_shows_the_rejections_below_are_real()
    {
        var (sim, _, reply) = Quiet();
        var acked = sim.Engine.Counters.ProbesAcked;
        Feed(sim, Router, reply);
        Assert.Equal(acked + 1, sim.Engine.Counters.ProbesAcked);
    }

    [Fact]
    public void A_reply_with_another_runs_cookie_is_ignored()
    {
        var (sim, sent, _) = Quiet();
        var (acked, ignored) = (sim.Engine.Counters.ProbesAcked, sim.Engine.Counters.ProbeRepliesIgnored);
        Feed(sim, Router, Forge(sent with { Cookie = sent.Cookie + 1 }));
        Assert.Equal(acked, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(ignored + 1, sim.Engine.Counters.ProbeRepliesIgnored);
    }

    [Fact]
    public void A_reply_with_another_identifier_is_ignored()
    {
        var (sim, sent, _) = Quiet();
        var (acked, ignored) = (sim.Engine.Counters.ProbesAcked, sim.Engine.Counters.ProbeRepliesIgnored);
        Feed(sim, Router, Forge(sent with { Identifier = (ushort)(sent.Identifier ^ 0x0100) }));
        Assert.Equal(acked, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(ignored + 1, sim.Engine.Counters.ProbeRepliesIgnored);
    }

    [Fact]
    public void An_out_of_window_sequence_is_ignored_and_logged()
    {
        var (sim, sent, _) = Quiet();
        var (acked, ignored) = (sim.Engine.Counters.ProbesAcked, sim.Engine.Counters.ProbeRepliesIgnored);
        Feed(sim, Router, Forge(sent with { Sequence = (ushort)(sent.Sequence + 1000) }));
        Feed(sim, Router, Forge(sent with { Sequence = (ushort)(sent.Sequence - 60) }));
        Assert.Equal(acked, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(ignored + 2, sim.Engine.Counters.ProbeRepliesIgnored);
        Assert.Equal(2, sim.Log.Count(l => l.Message.Id == MessageId.OutOfWindowProbe));
        Assert.StartsWith($"out of window probe seq {(ushort)(sent.Sequence + 1000)} snxt ",
            sim.Log.First(l => l.Message.Id == MessageId.OutOfWindowProbe).Message.Text);
    }

    [Fact]
    public void A_reply_from_another_source_than_the_probed_target_is_fake()
    {
        var (sim, _, reply) = Quiet();
        var (acked, ignored) = (sim.Engine.Counters.ProbesAcked, sim.Engine.Counters.ProbeRepliesIgnored);
        Feed(sim, IPAddress.Parse("192.168.10.2"), reply);
        Assert.Equal(acked, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(ignored + 1, sim.Engine.Counters.ProbeRepliesIgnored);
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.FakeProbeReply && l.Message.Text.EndsWith("on net0 from 192.168.10.2"));
    }

    [Fact]
    public void A_duplicate_reply_counts_once()
    {
        var (sim, _, reply) = Quiet();
        var acked = sim.Engine.Counters.ProbesAcked;
        Feed(sim, Router, reply);
        var ignored = sim.Engine.Counters.ProbeRepliesIgnored;
        Feed(sim, Router, reply);
        Assert.Equal(acked + 1, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(ignored + 1, sim.Engine.Counters.ProbeRepliesIgnored);
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.DuplicateProbeReply);
    }

    [Fact]
    public void A_malformed_reply_is_counted_as_malformed_and_logged()
    {
        var (sim, _, reply) = Quiet();
        var acked = sim.Engine.Counters.ProbesAcked;
        Feed(sim, Router, reply[..12]);
        var badCode = (byte[])reply.Clone();
        badCode[1] = 1;
        Feed(sim, Router, badCode);
        Assert.Equal(acked, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(2, sim.Engine.Counters.ProbeRepliesMalformed);
        Assert.Contains(sim.Log, l => l.Message.Text == "probe reply too short: 12 bytes from 192.168.10.1 on net0");
    }

    /// <summary>As illumos (mpd_probe.c, incoming_echo_reply): a late reply turns a LOST slot into ACKED. Our
    /// former deviation (a loss stays a loss) failed more often on jittery paths (JitteryPathTests).</summary>
    [Fact]
    public void A_late_reply_turns_a_lost_probe_into_a_success_as_in_illumos()
    {
        var (sim, sent, reply) = Quiet();
        sim.RecordProbes = true;
        sim.RunFor(TimeSpan.FromSeconds(3));               // the silent probe is long past its deadline
        var record = sim.Engine.FindInterface("net0")!.V4.History;
        Assert.True(record.TryFind(sent.Sequence, out var age));
        Assert.Equal(ProbeRecordStatus.Lost, record.Recent(age).Status);
        var (acked, lost) = (sim.Engine.Counters.ProbesAcked, sim.Engine.Counters.ProbesLost);

        Feed(sim, Router, reply);

        Assert.Equal(ProbeRecordStatus.Acked, record.Recent(age).Status);
        Assert.Equal(acked + 1, sim.Engine.Counters.ProbesAcked);
        Assert.Equal(lost - 1, sim.Engine.Counters.ProbesLost);
        Assert.Equal(1, sim.Engine.Counters.LateReplies);
        Assert.Contains(sim.Probes, p => p.State == ProbeEventState.Acked && p.Id == sent.Sequence && p.Interface == "net0");
    }

    /// <summary>Late is judged on the wire: a reply the kernel received in time, but that the daemon read
    /// only after it had declared the probe lost (a busy machine), is an answer, not a loss.</summary>
    [Fact]
    public void A_reply_received_in_time_but_read_late_still_counts()
    {
        var (sim, sent, reply) = Quiet();
        var receivedAt = sim.Now;                             // the kernel had it at once
        sim.RunFor(TimeSpan.FromSeconds(3));                  // the daemon got to it only now
        var record = sim.Engine.FindInterface("net0")!.V4.History;
        Assert.True(record.TryFind(sent.Sequence, out var age));
        Assert.Equal(ProbeRecordStatus.Lost, record.Recent(age).Status);
        var acked = sim.Engine.Counters.ProbesAcked;

        sim.Do(n => n.Events.Enqueue(new ProbeReplyReceived("net0", Router, reply, receivedAt)));

        Assert.Equal(ProbeRecordStatus.Acked, record.Recent(age).Status);
        Assert.Equal(acked + 1, sim.Engine.Counters.ProbesAcked);
    }
}
