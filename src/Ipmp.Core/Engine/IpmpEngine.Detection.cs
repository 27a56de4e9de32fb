using Ipmp.Core.Logging;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    public const int ProbeFailuresToFail = 5;
    public const int ProbeSuccessesToRepair = 10;

    private enum RunningReason { Initial, Repair, Online }

    /// <summary>
    /// The failure decision (illumos 3.10): a target that stopped answering is not the interface's fault;
    /// an interface that failed while some other member shows the network works is an interface failure;
    /// otherwise the whole group failed, and nothing is moved.
    /// </summary>
    private void EvaluateFailure(InterfaceRuntime ifp, bool linkDown)
    {
        var group = ifp.Group;
        TimeSpan? firstFailure = null;
        if (!linkDown)
        {
            JudgeOverdue(ifp);
            // 1. Per-target check on each family whose newest resolved probe was lost.
            var suspect = false;
            var families = ifp.Instances.Where(p => p.CanProbe && p.HasTargets).ToList();
            foreach (var pi in families)
            {
                var newest = pi.History.NewestResolved();
                if (newest < 0 || pi.History.Recent(newest).Status != ProbeRecordStatus.Lost) continue;
                var target = pi.History.Recent(newest).Target!;
                var (nfail, tff) = pi.History.RunOf(ProbeRecordStatus.Lost);
                var (nfailTarget, _) = pi.History.RunOf(ProbeRecordStatus.Lost, target);
                if (nfail < ProbeFailuresToFail && nfailTarget >= ProbeFailuresToFail && pi.ActiveTargets.Count() > 1)
                {
                    TargetDied(ifp, pi, target);
                    continue;
                }
                if (nfail >= ProbeFailuresToFail)
                {
                    suspect = true;
                    if (firstFailure is null || tff < firstFailure) firstFailure = tff;
                }
            }
            if (!suspect) return;
            // 2. If the other family probes too, it must agree.
            foreach (var pi in families)
            {
                var (nfail, tff) = pi.History.RunOf(ProbeRecordStatus.Lost);
                if (nfail < ProbeFailuresToFail) return;
                if (tff < firstFailure) firstFailure = tff;
            }
        }

        // Transitive probes failing say only that this member and the one it probes cannot reach each other.
        var linkSuspect = !linkDown && !ifp.ProbesIcmp && ifp.Transitive.CanProbe;
        if (group.IsAnonymous || OtherMemberShowsNetworkWorks(ifp, linkDown, firstFailure, linkSuspect))
            InterfaceFailed(ifp);
        else if (linkSuspect)
            return;   // nobody shows the path works: the member it probes is suspect, and its own ICMP probes decide
        else if (!linkDown && HandOver(ifp))
            InterfaceFailed(ifp);
        else
            GroupFailed(group);
    }

    /// <summary>When a running interface's deciding probe (see <see cref="ProbeInstance.DecidingProbeOverdueAt"/>)
    /// becomes overdue, outside the quiet period; null when none is pending or the option is off.</summary>
    private TimeSpan? DecidingProbeOverdueAt(InterfaceRuntime ifp, TimeSpan now)
    {
        if (!_options.JudgeDecidingProbeAtDeadline || ifp.State != PiState.Running) return null;
        TimeSpan? first = null;
        foreach (var pi in ifp.Instances)
        {
            if (!pi.CanProbe || !pi.HasTargets || now < pi.QuietUntil) continue;
            if (pi.DecidingProbeOverdueAt(ifp.Group.ProbeInterval, ProbeFailuresToFail) is { } at && (first is null || at < first))
                first = at;
        }
        return first;
    }

    /// <summary>
    /// Evidence that the link works for someone else. Stricter than illumos (section 9, "weak evidence"):
    /// an OFFLINE or FAILED member never counts, even with its link up.
    /// </summary>
    /// <param name="countTransitive">Whether other members' answered transitive probes count: they do when the
    /// suspect is itself checked transitively; they do not against ICMP losses (they prove a member's link, not
    /// that the targets answer).</param>
    private bool OtherMemberShowsNetworkWorks(InterfaceRuntime ifp, bool linkDown, TimeSpan? firstFailure, bool countTransitive = false)
    {
        if (ifp.Group.State == GroupState.Failed) return false;
        foreach (var other in ifp.Group.Members)
        {
            if (other == ifp || !other.Present || !other.LinkUp || other.Offline || other.Failed) continue;
            if (other.State is not (PiState.Running or PiState.NoTargets)) continue;
            if (linkDown) return true;
            if (!other.CanProbe || !other.HasTargets) return true;   // link-only evidence
            foreach (var pi in other.Instances)
            {
                if (pi.IsLink && !countTransitive) continue;
                if (pi.History.LastAckedStart() is { } t && (firstFailure is null || t > firstFailure)) return true;
            }
        }
        return false;
    }

    private void InterfaceFailed(InterfaceRuntime ifp)
    {
        if (ifp.Failed && ifp.State == PiState.Failed) return;
        var wasActive = ifp.Active;
        ifp.Failed = true;
        ifp.Inactive = false;
        Log(MessageCatalog.InterfaceFailure(ifp.Name, ifp.Group.Name));
        Changed("interface-failed", ifp.Group, ifp, wasActive ? "was active" : "was inactive");
        if (ifp.State != PiState.Offline)
        {
            ifp.State = PiState.Failed;
            foreach (var pi in ifp.Instances) pi.ResetRtt();
        }
        ifp.Group.Touch();
        RefreshGroupState(ifp.Group);
    }

    private void GroupFailed(GroupRuntime group)
    {
        group.UnconfirmedHandover = false;
        foreach (var m in group.Members.Where(m => m.Present))
        {
            m.Failed = true;
            m.Inactive = false;
            if (m.State == PiState.Offline) continue;
            foreach (var pi in m.Instances) pi.ResetRtt();
            if (m.State is PiState.Running or PiState.NoTargets) m.State = PiState.Failed;
        }
        group.Touch();
        RefreshGroupState(group);
    }

    /// <summary>The repair decision (illumos 3.11): link up, and 10 consecutive acked probes on either
    /// family (or the flap rule for interfaces that do not probe).</summary>
    private void CheckRepair(InterfaceRuntime ifp)
    {
        if (!ifp.Failed || !ifp.Present || !ifp.LinkUp) return;
        // Transitive answers prove this member's port, not that anything answers over IP: while the group has
        // failed (targets gone, or the switch) only an ICMP answer brings a member back; the others follow.
        if (!ifp.ProbesIcmp && ifp.Transitive.CanProbe && ifp.Group.State == GroupState.Failed) return;
        bool repaired;
        if (ifp.CanProbe && ifp.HasTargets)
        {
            JudgeOverdue(ifp);
            repaired = ifp.Instances.Any(pi =>
            {
                if (!pi.CanProbe || pi.History.NewestResolved() < 0) return false;
                if (pi.History.RunOf(ProbeRecordStatus.Acked).Run >= ProbeSuccessesToRepair) return true;
                var target = pi.History.Recent(pi.History.NewestResolved()).Target;
                return target is not null && pi.History.RunOf(ProbeRecordStatus.Acked, target).Run >= ProbeSuccessesToRepair;
            });
        }
        else
        {
            repaired = FlapAllowsRepair(ifp);
        }
        if (!repaired) return;

        Log(MessageCatalog.InterfaceRepair(ifp.Name, ifp.Group.Name));
        Changed("interface-repaired", ifp.Group, ifp, "");
        if (ifp.State == PiState.Offline)
        {
            ifp.Failed = false;
            return;
        }
        TransitionToRunning(ifp, RunningReason.Repair);
    }

    /// <summary>
    /// illumos "transition to running": decides only this interface's INACTIVE flag; the capacity rule in
    /// <see cref="EnforceCapacity"/> then activates or demotes standbys so that the group keeps as many
    /// active members as it has non-standby ones.
    /// </summary>
    private void TransitionToRunning(InterfaceRuntime ifp, RunningReason reason)
    {
        var group = ifp.Group;
        if (group.IsAnonymous)
        {
            ifp.Inactive = false;
        }
        else if (ifp.Standby)
        {
            // Inactive unless needed; the capacity rule activates it when the group is short.
            ifp.Inactive = true;
        }
        else if (reason == RunningReason.Repair && !Settings.Failback && group.State != GroupState.Failed)
        {
            // FAILBACK=no: stay out of the way while the group has its configured number of active members.
            ifp.Inactive = ActiveCount(group, except: ifp) >= Capacity(group);
        }
        else
        {
            ifp.Inactive = false;
        }
        ifp.Failed = false;
        if (reason == RunningReason.Online) ifp.Offline = false;
        ifp.State = ifp.CanProbe && !ifp.HasTargets ? PiState.NoTargets : PiState.Running;
        group.Touch();
        RefreshGroupState(group);
    }

    /// <summary>How many members a group keeps active: its non-standby members (configured, even if
    /// missing), and at least one.</summary>
    private static int Capacity(GroupRuntime group) => Math.Max(1, group.Members.Count(m => !m.Standby));

    private static int ActiveCount(GroupRuntime group, InterfaceRuntime? except = null) =>
        group.Members.Count(m => m != except && m.Active);

    /// <summary>
    /// Keeps the number of active members at the capacity: activates INACTIVE members (standbys first) when
    /// short — that is illumos "activate another", run after any failure, offline or removal — and demotes
    /// active standbys when over.
    /// </summary>
    private void EnforceCapacity(GroupRuntime group)
    {
        if (group.IsAnonymous) return;
        var capacity = Capacity(group);
        while (ActiveCount(group) < capacity)
        {
            // A standby first, then the earliest configured (loops, not OrderBy: the failover path).
            InterfaceRuntime? candidate = null;
            foreach (var m in group.Members)
            {
                if (!(m.Usable && m.Inactive && !m.Offline && !m.HwAddrDup)) continue;
                if (candidate is null || (m.Standby && !candidate.Standby) ||
                    (m.Standby == candidate.Standby && ConfigOrder(m) < ConfigOrder(candidate)))
                    candidate = m;
            }
            if (candidate is null) break;
            candidate.Inactive = false;
            group.Touch();
            Changed("interface-activated", group, candidate, "");
        }
        while (ActiveCount(group) > capacity)
        {
            // The active standby hosting the fewest addresses, the earliest on a tie.
            InterfaceRuntime? standby = null;
            var fewest = int.MaxValue;
            foreach (var m in group.Members)
            {
                if (!(m.Active && m.Standby)) continue;
                var hosted = 0;
                foreach (var a in group.Addresses)
                    if (a.BoundTo == m.Name) hosted++;
                if (hosted < fewest) (standby, fewest) = (m, hosted);
            }
            if (standby is null) break;
            standby.Inactive = true;
            group.Touch();
            Changed("interface-deactivated", group, standby, "");
        }
    }

    private int ConfigOrder(InterfaceRuntime m) => _configOrder.GetValueOrDefault(m.Name, int.MaxValue);

    /// <summary>ok: every member usable; degraded: some; failed: none (illumos PG_*). Missing interfaces
    /// are not members in the kernel's sense and do not count.</summary>
    private void RefreshGroupState(GroupRuntime group)
    {
        if (group.IsAnonymous) return;
        var present = group.Members.Where(m => m.Present).ToList();
        var usable = present.Count(m => m.Usable && !m.Offline);
        var state = usable == 0 ? GroupState.Failed : usable == present.Count ? GroupState.Ok : GroupState.Degraded;
        if (state == group.State) return;
        var old = group.State;
        group.State = state;
        group.Touch();
        // Constant names: Enum.ToString goes through reflection metadata, on the failover path.
        Changed("group-state", group, null, state switch { GroupState.Ok => "ok", GroupState.Failed => "failed", _ => "degraded" });
        if (state == GroupState.Failed && present.Count > 0)
        {
            Log(MessageCatalog.GroupFailed(group.Name));
            FlushHostTargets(group);
        }
        else if (old == GroupState.Failed && group.EverUsable)
        {
            Log(MessageCatalog.GroupUsable(present.First(m => m.Usable).Name, group.Name));
        }
        if (state != GroupState.Failed) group.EverUsable = true;
    }
}
