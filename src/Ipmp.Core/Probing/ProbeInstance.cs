using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Probing;

/// <summary>
/// The IPv4 or IPv6 half of one interface's probing (illumos phyint_instance): its test address, targets,
/// send schedule, and the state machine of its probes (UNACKED → ACKED or LOST, see <see cref="Send"/>,
/// <see cref="ReportSent"/>, <see cref="JudgeAtSlot"/>, <see cref="JudgeOverdue"/>, <see cref="Acknowledge"/>).
/// Decisions that need both families or the group (failure, repair, FDT) live in the engine.
/// With <see cref="AddressFamily.Unspecified"/> it is the interface's transitive instance: the same state
/// machine over link-layer probes to other members (<see cref="TargetKind.Peer"/> targets), on while
/// <see cref="TransitiveOn"/> says so.
/// </summary>
public sealed class ProbeInstance(AddressFamily family)
{
    public const int MaxActiveTargets = 5;
    public const int MinActiveTargetsAfterLoss = 3;
    public static readonly TimeSpan RecoveryTime = TimeSpan.FromSeconds(60);

    public AddressFamily Family { get; } = family;
    public bool IsV6 => Family == AddressFamily.InterNetworkV6;
    /// <summary>The transitive (link-layer) instance rather than an ICMP one.</summary>
    public bool IsLink => Family == AddressFamily.Unspecified;
    public string FamilyName => IsLink ? "link" : IsV6 ? "inet6" : "inet";

    /// <summary>The test address is in fact a data address this member holds (TRANSITIVE_PROBING): probes
    /// leave from it, and the role moves with the address.</summary>
    public bool FromDataAddress { get; set; }

    /// <summary>The transitive instance probes (this member has no ICMP probing of its own).</summary>
    public bool TransitiveOn { get; set; }

    /// <summary>The test address probes leave from; null: this family does not probe.</summary>
    public IpPrefix? TestAddress { get; set; }
    public List<ProbeTarget> Targets { get; } = [];
    public ProbeHistory History { get; } = new();

    /// <summary>Round-robin position: index into <see cref="Targets"/> of the next failure probe's target.</summary>
    private int _nextTarget;

    public TimeSpan? NextSendAt { get; private set; }
    private TimeSpan _base;

    /// <summary>Lost probes do not count towards a failure before this time (illumos pii_fd_hrtime): set
    /// when the instance is created, ended by the first answered probe.</summary>
    public TimeSpan QuietUntil { get; set; }

    /// <summary>What a reply that comes after its probe was declared lost does (illumos: it counts).</summary>
    public LateReplyRule LateReplies { get; set; } = LateReplyRule.CountsAsAck;

    /// <summary>Slots sent since the FDT was raised; every n-th slot carries a failure probe, the others RTT probes.</summary>
    public long SlotCounter { get; set; }

    public long Sent { get; set; }
    public long Acked { get; set; }
    public long Lost { get; set; }
    public long Unknown { get; set; }

    public bool CanProbe => IsLink ? TransitiveOn : TestAddress is not null;
    public bool HasTargets => Targets.Count > 0;
    public bool HasRouterTargets => Targets.Any(t => t.Kind == TargetKind.Router);

    public TargetMode Mode => !CanProbe ? TargetMode.Disabled
        : IsLink ? TargetMode.Transitive
        : HasRouterTargets ? TargetMode.Routes
        : TargetMode.Multicast;

    /// <summary>(Re)start the schedule: the first probe at a random point of one interval, so that
    /// interfaces do not probe in lock-step.</summary>
    public void StartSchedule(TimeSpan now, TimeSpan interval, Random random)
    {
        _base = now + Scale(interval, random.NextDouble());
        NextSendAt = _base;
    }

    public void StopSchedule() => NextSendAt = null;

    /// <summary>After a send: the next probe leaves at base + I + rand[0.5 I, 1.0 I]; base moves by exactly I.
    /// Slots missed because the timer ran late are skipped in whole intervals, not sent in a burst.</summary>
    public int ScheduleNext(TimeSpan now, TimeSpan interval, Random random)
    {
        var missed = 0;
        _base += interval;
        while (_base + interval < now)
        {
            _base += interval;
            missed++;
        }
        NextSendAt = _base + Scale(interval, 0.5 + random.NextDouble() * 0.5);
        return missed;
    }

    private static TimeSpan Scale(TimeSpan t, double f) => TimeSpan.FromTicks((long)(t.Ticks * f));

    public IEnumerable<ProbeTarget> ActiveTargets => Targets.Where(t => t.Status == TargetStatus.Active);

    /// <summary><c>ActiveTargets.Any()</c> without the iterator (asked at every probe slot).</summary>
    public bool HasActiveTargets
    {
        get
        {
            foreach (var t in Targets)
                if (t.Status == TargetStatus.Active) return true;
            return false;
        }
    }

    /// <summary>The next ACTIVE target for a failure probe, advancing the round-robin pointer and doing the
    /// status promotions of illumos on the way (UNUSED→ACTIVE while fewer than 5 are active, SLOW→UNUSED and
    /// DEAD→SLOW after 60 s).</summary>
    public ProbeTarget? NextTarget(TimeSpan now)
    {
        if (Targets.Count == 0) return null;
        for (var step = 0; step < Targets.Count; step++)
        {
            var i = (_nextTarget + step) % Targets.Count;
            var t = Targets[i];
            Promote(t, now);
            if (t.Status != TargetStatus.Active) continue;
            _nextTarget = (i + 1) % Targets.Count;
            return t;
        }
        return null;
    }

    /// <summary>The active targets in firing order, starting with the next to be probed (ipmpstat -t).</summary>
    public IReadOnlyList<IPAddress> FiringOrder() => FiringOrderOf().Select(t => t.Address).ToList();

    public IReadOnlyList<ProbeTarget> FiringOrderOf()
    {
        var list = new List<ProbeTarget>();
        for (var step = 0; step < Targets.Count; step++)
        {
            var t = Targets[(_nextTarget + step) % Targets.Count];
            if (t.Status == TargetStatus.Active) list.Add(t);
        }
        return list;
    }

    private void Promote(ProbeTarget t, TimeSpan now)
    {
        switch (t.Status)
        {
            case TargetStatus.Unused when ActiveTargets.Count() < MaxActiveTargets:
                t.SetStatus(TargetStatus.Active, now);
                break;
            case TargetStatus.Slow when now - t.StatusSince >= RecoveryTime:
                t.SetStatus(TargetStatus.Unused, now);
                if (ActiveTargets.Count() < MaxActiveTargets) t.SetStatus(TargetStatus.Active, now);
                break;
            case TargetStatus.Dead when now - t.StatusSince >= RecoveryTime:
                t.SetStatus(TargetStatus.Slow, now);
                break;
        }
    }

    public ProbeTarget? FindTarget(IPAddress address) => Targets.FirstOrDefault(t => t.Address.Equals(address));

    /// <summary>Adds a target; beyond five active ones it waits as UNUSED.</summary>
    public ProbeTarget AddTarget(IPAddress address, TargetKind kind, TimeSpan now, string? peer = null)
    {
        var t = new ProbeTarget(address, kind, now, peer);
        if (ActiveTargets.Count() >= MaxActiveTargets) t.SetStatus(TargetStatus.Unused, now);
        Targets.Add(t);
        return t;
    }

    public void RemoveTarget(ProbeTarget target)
    {
        var i = Targets.IndexOf(target);
        if (i < 0) return;
        Targets.RemoveAt(i);
        if (i < _nextTarget) _nextTarget--;
        if (Targets.Count == 0 || _nextTarget >= Targets.Count) _nextTarget = 0;
        if (Targets.Count == 0) History.Clear();
    }

    /// <summary>When the last active router target goes, reactivate up to three others, best first.</summary>
    public void ReactivateAfterLoss(TimeSpan now)
    {
        if (ActiveTargets.Any()) return;
        var order = Targets.Where(t => t.Status == TargetStatus.Unused)
            .Concat(Targets.Where(t => t.Status == TargetStatus.Slow && now - t.StatusSince >= RecoveryTime))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Slow))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Dead && now - t.StatusSince >= RecoveryTime))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Dead))
            .Distinct().Take(MinActiveTargetsAfterLoss).ToList();
        foreach (var t in order) t.SetStatus(TargetStatus.Active, now);
    }

    public void ResetRtt()
    {
        foreach (var t in Targets) t.Rtt.Reset();
    }

    // ---- the probe state machine ----

    /// <summary>A failure-detection probe leaves now to <paramref name="target"/>: a new UNACKED record.
    /// Until the executor reports otherwise (<see cref="ReportSent"/>) it counts as sent at the round start.</summary>
    public ref ProbeRecord Send(ProbeTarget target, TimeSpan start)
    {
        Sent++;
        return ref History.Add(target, start, start);
    }

    /// <summary>The executor reports when the probe actually left (ProbeSent): the deadline and the RTT
    /// sample count from here, on the same clock as the reply's receive stamp. Never before the round start.</summary>
    public bool ReportSent(ushort sequence, TimeSpan sentAt)
    {
        if (!History.TryFind(sequence, out var age)) return false;
        ref var r = ref History.Recent(age);
        if (r.Status != ProbeRecordStatus.Unacked) return false;
        r.Sent = sentAt > r.Start ? sentAt : r.Start;
        return true;
    }

    /// <summary>When an unanswered probe is overdue: its send time + its target's CRTT, or + the group's probe
    /// interval while the target has no estimate (illumos mpd_probe.c, phyint_inst_timer: "the crtt could be
    /// zero ... use the group's probe interval, which is a worst case estimate").</summary>
    public static TimeSpan Deadline(in ProbeRecord r, TimeSpan probeInterval) =>
        r.Sent + (r.Target!.Rtt.HasSample ? r.Target.Rtt.Crtt : probeInterval);

    /// <summary>
    /// The loss rule, run only at this instance's own failure-detection slot, just before it sends its next
    /// probe (illumos mpd_probe.c, phyint_inst_timer): of the two newest probes, an UNACKED one past its
    /// <see cref="Deadline"/> is LOST (lost at its deadline); the older of the two is LOST in any case, since
    /// at most one probe may be outstanding once the next one leaves. Nothing else marks a probe lost early:
    /// a reply that comes after the deadline but before this slot is an answer.
    /// </summary>
    /// <param name="lost">Receives the records newly marked lost (for events), if given.</param>
    /// <returns>How many probes were newly marked lost.</returns>
    public int JudgeAtSlot(TimeSpan now, TimeSpan probeInterval, List<ProbeRecord>? lost = null)
    {
        var n = 0;
        for (var i = 0; i < Math.Min(2, History.Count); i++)
        {
            ref var r = ref History.Recent(i);
            if (r.Status != ProbeRecordStatus.Unacked) continue;
            var deadline = Deadline(r, probeInterval);
            if (deadline < now) MarkLost(ref r, deadline, lost);
            else if (i == 1) MarkLost(ref r, now, lost);
            else continue;
            n++;
        }
        return n;
    }

    /// <summary>
    /// When the newest probe would complete a failure if lost (the <paramref name="failuresToFail"/> − 1
    /// resolved probes before it were all LOST, and it is still UNACKED), the moment it is overdue (just past
    /// its <see cref="Deadline"/>); null otherwise. The engine decides then rather than at the next slot
    /// (<see cref="Engine.EngineOptions.JudgeDecidingProbeAtDeadline"/>).
    /// </summary>
    public TimeSpan? DecidingProbeOverdueAt(TimeSpan probeInterval, int failuresToFail)
    {
        if (History.Count == 0) return null;
        ref var r = ref History.Recent(0);
        if (r.Status != ProbeRecordStatus.Unacked || r.Target is null) return null;
        var (run, _) = History.RunOf(ProbeRecordStatus.Lost);
        return run >= failuresToFail - 1 ? Deadline(r, probeInterval) + TimeSpan.FromTicks(1) : null;
    }

    /// <summary>
    /// What a failure or repair decision sees when it reads this instance's history between slots (illumos
    /// mpd_probe.c, probe_fail_info and probe_success_info): an UNACKED probe past its deadline counts as LOST.
    /// Unlike <see cref="JudgeAtSlot"/> nothing is forced.
    /// </summary>
    public int JudgeOverdue(TimeSpan now, TimeSpan probeInterval, List<ProbeRecord>? lost = null)
    {
        var n = 0;
        for (var i = 0; i < Math.Min(2, History.Count); i++)
        {
            ref var r = ref History.Recent(i);
            if (r.Status != ProbeRecordStatus.Unacked) continue;
            var deadline = Deadline(r, probeInterval);
            if (deadline >= now) continue;
            MarkLost(ref r, deadline, lost);
            n++;
        }
        return n;
    }

    private void MarkLost(ref ProbeRecord r, TimeSpan at, List<ProbeRecord>? lost)
    {
        r.Status = ProbeRecordStatus.Lost;
        r.LostAt = at;
        Lost++;
        lost?.Add(r);
    }

    /// <summary>
    /// A unicast echo reply with this sequence number came from <paramref name="source"/>; the kernel received
    /// it at <paramref name="received"/> (illumos mpd_probe.c, incoming_echo_reply). Out of window, from
    /// another source than the probed target, or a duplicate: not an answer. A reply to a LOST probe turns it
    /// ACKED, as illumos does, unless <see cref="LateReplies"/> says otherwise; a reply the kernel received
    /// before the probe's deadline always counts (only the daemon was late reading it).
    /// </summary>
    public ProbeReply Acknowledge(ushort sequence, IPAddress source, TimeSpan received, TimeSpan now) =>
        Acknowledge(sequence, t => t.Address.Equals(source), received, now);

    /// <summary>A transitive reply from member <paramref name="peer"/>: as <see cref="Acknowledge(ushort, IPAddress, TimeSpan, TimeSpan)"/>,
    /// the probed member standing in for the probed address.</summary>
    public ProbeReply AcknowledgePeer(ushort sequence, string peer, TimeSpan received, TimeSpan now) =>
        Acknowledge(sequence, t => t.Peer == peer, received, now);

    private ProbeReply Acknowledge(ushort sequence, Func<ProbeTarget, bool> fromTarget, TimeSpan received, TimeSpan now)
    {
        if (!History.TryFind(sequence, out var age))
        {
            Unknown++;
            return new ProbeReply(ProbeReplyVerdict.OutOfWindow, -1, ProbeRecordStatus.Unused, 0);
        }
        ref var r = ref History.Recent(age);
        if (!fromTarget(r.Target!))
        {
            Unknown++;
            return new ProbeReply(ProbeReplyVerdict.Fake, age, r.Status, 0);
        }
        if (r.Status == ProbeRecordStatus.Acked)
        {
            Unknown++;
            return new ProbeReply(ProbeReplyVerdict.Duplicate, age, r.Status, 0);
        }
        var sample = RttSampleNs(r, received);
        var verdict = ProbeReplyVerdict.Acked;
        if (r.Status == ProbeRecordStatus.Lost)
        {
            var inTime = r.LostAt is { } lostAt && received <= lostAt;
            if (!inTime && LateReplies == LateReplyRule.StaysLost)
                return new ProbeReply(ProbeReplyVerdict.LateIgnored, age, r.Status, sample);
            Lost--;
            verdict = ProbeReplyVerdict.LateAcked;
        }
        r.Status = ProbeRecordStatus.Acked;
        r.AckReceived = received;
        r.AckProcessed = now;
        Acked++;
        if (QuietUntil > now) QuietUntil = now;   // the path works: the quiet period is over
        return new ProbeReply(verdict, age, ProbeRecordStatus.Acked, sample);
    }

    /// <summary>
    /// The RTT sample of a reply: kernel receive stamp minus send time, in ns. A negative difference is
    /// clamped to 0, not dropped. It happens when the send time was taken on a different clock path than
    /// the receive stamp (seen on veth: the reply stamped ~0.1 ms "before" the send): the true RTT is then
    /// below what the two clocks can resolve, and 0 is the nearest possible value. Dropping such samples
    /// would keep exactly the fast ones out of the estimator, so it would learn only from slow replies and
    /// its CRTT (and the FDT raised from it) would drift upwards.
    /// </summary>
    public static long RttSampleNs(in ProbeRecord r, TimeSpan received) => Math.Max(0, (received - r.Sent).Ticks * 100);
}

/// <summary>What a reply to a LOST probe does (illumos mpd_probe.c, incoming_echo_reply: it is ACKED).</summary>
public enum LateReplyRule
{
    /// <summary>illumos: a late reply turns LOST into ACKED.</summary>
    CountsAsAck,

    /// <summary>A probe once declared lost stays lost (its RTT is still sampled).</summary>
    StaysLost,
}

public enum ProbeReplyVerdict { Acked, LateAcked, LateIgnored, OutOfWindow, Fake, Duplicate }

/// <summary>The outcome of <see cref="ProbeInstance.Acknowledge"/>: the verdict, the record's age in the history
/// (-1 when out of window), its status (before, for the rejections), and the RTT sample in ns.</summary>
public readonly record struct ProbeReply(ProbeReplyVerdict Verdict, int Age, ProbeRecordStatus Status, long SampleNs)
{
    public bool Counts => Verdict is ProbeReplyVerdict.Acked or ProbeReplyVerdict.LateAcked;
    public bool HasSample => Verdict is ProbeReplyVerdict.Acked or ProbeReplyVerdict.LateAcked or ProbeReplyVerdict.LateIgnored;
}
