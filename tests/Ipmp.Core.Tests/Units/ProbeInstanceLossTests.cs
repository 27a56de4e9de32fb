using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Probing;

namespace Ipmp.Core.Tests.Units;

/// <summary>
/// The per-instance probe state machine on its own (illumos mpd_probe.c: probe, phyint_inst_timer,
/// probe_fail_info, incoming_echo_reply): when a probe is sent, when it is lost, what a reply does.
/// </summary>
public class ProbeInstanceLossTests
{
    private static readonly IPAddress Router = IPAddress.Parse("192.168.10.1");
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(142);

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static (ProbeInstance Pi, ProbeTarget Target) Instance(double? crttSampleMs = 10)
    {
        var pi = new ProbeInstance(AddressFamily.InterNetwork);
        var target = pi.AddTarget(Router, TargetKind.Router, TimeSpan.Zero);
        // One sample m gives CRTT 3m: 10 ms → 30 ms.
        if (crttSampleMs is { } m) target.Rtt.Add((long)(m * 1_000_000));
        return (pi, target);
    }

    private static ushort SendAt(ProbeInstance pi, ProbeTarget target, TimeSpan at)
    {
        ref var r = ref pi.Send(target, at);
        return r.Sequence;
    }

    private static ProbeRecordStatus StatusOf(ProbeInstance pi, ushort seq)
    {
        Assert.True(pi.History.TryFind(seq, out var age));
        return pi.History.Recent(age).Status;
    }

    [Fact]
    public void A_probe_is_not_judged_before_the_next_slot_so_a_reply_after_its_deadline_is_still_an_answer()
    {
        var (pi, target) = Instance();                      // CRTT 30 ms
        var seq = SendAt(pi, target, Ms(1000));
        // Nothing marks it lost at 1030 ms: there is no judgement between slots.
        var reply = pi.Acknowledge(seq, Router, Ms(1060), Ms(1060));
        Assert.Equal(ProbeReplyVerdict.Acked, reply.Verdict);
        Assert.Equal(ProbeRecordStatus.Acked, StatusOf(pi, seq));
        Assert.Equal(0, pi.JudgeAtSlot(Ms(1100), Interval));
        Assert.Equal(0, pi.Lost);
    }

    [Fact]
    public void At_the_slot_an_unanswered_probe_past_its_deadline_is_lost_at_its_deadline()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        var lost = new List<ProbeRecord>();
        Assert.Equal(1, pi.JudgeAtSlot(Ms(1100), Interval, lost));
        Assert.Equal(ProbeRecordStatus.Lost, StatusOf(pi, seq));
        Assert.Equal(Ms(1030), Assert.Single(lost).LostAt);
        Assert.Equal(1, pi.Lost);
    }

    [Fact]
    public void At_the_slot_the_newest_probe_within_its_deadline_stays_outstanding()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        Assert.Equal(0, pi.JudgeAtSlot(Ms(1029), Interval));
        Assert.Equal(ProbeRecordStatus.Unacked, StatusOf(pi, seq));
        Assert.Equal(0, pi.JudgeAtSlot(Ms(1030), Interval));      // lost once deadline < now, not at it
        Assert.Equal(1, pi.JudgeAtSlot(Ms(1030) + TimeSpan.FromTicks(1), Interval));
    }

    [Fact]
    public void At_the_slot_the_older_of_two_outstanding_probes_is_lost_even_within_its_deadline()
    {
        var (pi, target) = Instance(100);                    // CRTT 300 ms, longer than an interval
        var older = SendAt(pi, target, Ms(1000));
        var newer = SendAt(pi, target, Ms(1142));
        var lost = new List<ProbeRecord>();
        Assert.Equal(1, pi.JudgeAtSlot(Ms(1284), Interval, lost));
        Assert.Equal(ProbeRecordStatus.Lost, StatusOf(pi, older));
        Assert.Equal(Ms(1284), Assert.Single(lost).LostAt);      // forced: lost now, not at a deadline
        Assert.Equal(ProbeRecordStatus.Unacked, StatusOf(pi, newer));
    }

    [Fact]
    public void The_deadline_counts_from_when_the_probe_left_not_from_the_round()
    {
        var (pi, target) = Instance();                      // CRTT 30 ms
        var seq = SendAt(pi, target, Ms(1000));
        Assert.True(pi.ReportSent(seq, Ms(1050)));           // a busy daemon sent it 50 ms late
        Assert.Equal(0, pi.JudgeAtSlot(Ms(1079), Interval));
        Assert.Equal(1, pi.JudgeAtSlot(Ms(1081), Interval));
    }

    [Fact]
    public void A_send_report_before_the_round_is_taken_as_the_round_and_one_for_an_answered_probe_is_ignored()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        Assert.True(pi.ReportSent(seq, Ms(999.9)));
        Assert.True(pi.History.TryFind(seq, out var age));
        Assert.Equal(Ms(1000), pi.History.Recent(age).Sent);
        pi.Acknowledge(seq, Router, Ms(1001), Ms(1001));
        Assert.False(pi.ReportSent(seq, Ms(1005)));
        Assert.False(pi.ReportSent((ushort)(seq + 7), Ms(1005)));
    }

    [Fact]
    public void Without_an_estimate_the_deadline_is_one_probe_interval_but_a_zero_estimate_is_an_estimate()
    {
        var (pi, target) = Instance(crttSampleMs: null);
        SendAt(pi, target, Ms(1000));
        Assert.Equal(0, pi.JudgeAtSlot(Ms(1142), Interval));
        Assert.Equal(1, pi.JudgeAtSlot(Ms(1143), Interval));

        var (fast, t2) = Instance(crttSampleMs: 0);          // samples clamped to 0: CRTT 0, HasSample
        SendAt(fast, t2, Ms(1000));
        Assert.Equal(1, fast.JudgeAtSlot(Ms(1000.1), Interval));
    }

    [Fact]
    public void A_sub_millisecond_crtt_gives_a_sub_millisecond_deadline()
    {
        var (pi, target) = Instance(crttSampleMs: 0.6);      // CRTT 1.8 ms (illumos: 1 ms)
        var seq = SendAt(pi, target, Ms(1000));
        Assert.True(pi.History.TryFind(seq, out var age));
        Assert.Equal(Ms(1001.8), ProbeInstance.Deadline(pi.History.Recent(age), Interval));
    }

    [Fact]
    public void Reading_the_history_between_slots_counts_overdue_probes_lost_but_forces_nothing()
    {
        var (pi, target) = Instance(100);                    // CRTT 300 ms
        var older = SendAt(pi, target, Ms(1000));
        var newer = SendAt(pi, target, Ms(1142));
        Assert.Equal(0, pi.JudgeOverdue(Ms(1200), Interval));
        Assert.Equal(ProbeRecordStatus.Unacked, StatusOf(pi, older));
        Assert.Equal(1, pi.JudgeOverdue(Ms(1301), Interval));
        Assert.Equal(ProbeRecordStatus.Lost, StatusOf(pi, older));
        Assert.Equal(ProbeRecordStatus.Unacked, StatusOf(pi, newer));
    }

    [Fact]
    public void A_late_reply_turns_lost_into_acked_as_illumos_does()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        pi.JudgeAtSlot(Ms(1100), Interval);
        var reply = pi.Acknowledge(seq, Router, Ms(1200), Ms(1200));
        Assert.Equal(ProbeReplyVerdict.LateAcked, reply.Verdict);
        Assert.True(reply.Counts);
        Assert.Equal(200_000_000, reply.SampleNs);
        Assert.Equal(ProbeRecordStatus.Acked, StatusOf(pi, seq));
        Assert.Equal((0L, 1L), (pi.Lost, pi.Acked));
    }

    [Fact]
    public void Under_the_stays_lost_rule_a_late_reply_only_teaches_the_rtt_unless_the_kernel_had_it_in_time()
    {
        var (pi, target) = Instance();
        pi.LateReplies = LateReplyRule.StaysLost;
        var late = SendAt(pi, target, Ms(1000));
        pi.JudgeAtSlot(Ms(1100), Interval);                  // lost at its deadline, 1030 ms
        var reply = pi.Acknowledge(late, Router, Ms(1200), Ms(1200));
        Assert.Equal(ProbeReplyVerdict.LateIgnored, reply.Verdict);
        Assert.False(reply.Counts);
        Assert.True(reply.HasSample);
        Assert.Equal(ProbeRecordStatus.Lost, StatusOf(pi, late));

        var readLate = SendAt(pi, target, Ms(1142));
        pi.JudgeAtSlot(Ms(1284), Interval);
        // Received at 1150 ms (before the 1172 ms deadline), read only after the slot: an answer.
        Assert.Equal(ProbeReplyVerdict.LateAcked, pi.Acknowledge(readLate, Router, Ms(1150), Ms(1290)).Verdict);
    }

    [Fact]
    public void A_reply_stamped_before_the_send_gives_a_zero_sample_not_none()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        pi.ReportSent(seq, Ms(1000.3));
        var reply = pi.Acknowledge(seq, Router, Ms(1000.2), Ms(1000.4));   // 0.1 ms "before" it left
        Assert.Equal(ProbeReplyVerdict.Acked, reply.Verdict);
        Assert.True(reply.HasSample);
        Assert.Equal(0, reply.SampleNs);
    }

    [Fact]
    public void Out_of_window_fake_and_duplicate_replies_are_not_answers()
    {
        var (pi, target) = Instance();
        var seq = SendAt(pi, target, Ms(1000));
        Assert.Equal(ProbeReplyVerdict.OutOfWindow, pi.Acknowledge((ushort)(seq + 1), Router, Ms(1001), Ms(1001)).Verdict);
        Assert.Equal(ProbeReplyVerdict.Fake, pi.Acknowledge(seq, IPAddress.Parse("192.168.10.2"), Ms(1001), Ms(1001)).Verdict);
        Assert.Equal(ProbeReplyVerdict.Acked, pi.Acknowledge(seq, Router, Ms(1001), Ms(1001)).Verdict);
        Assert.Equal(ProbeReplyVerdict.Duplicate, pi.Acknowledge(seq, Router, Ms(1002), Ms(1002)).Verdict);
        Assert.Equal(3, pi.Unknown);
        Assert.Equal(1, pi.Acked);
    }

    [Fact]
    public void The_first_answer_ends_the_quiet_period()
    {
        var (pi, target) = Instance();
        pi.QuietUntil = Ms(40_000);
        var seq = SendAt(pi, target, Ms(1000));
        pi.Acknowledge(seq, Router, Ms(1001), Ms(1002));
        Assert.Equal(Ms(1002), pi.QuietUntil);
    }
}
