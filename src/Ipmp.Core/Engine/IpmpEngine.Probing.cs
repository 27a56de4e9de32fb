using System.Net;
using Ipmp.Core.Commands;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    private static readonly IPAddress AllHostsV4 = IPAddress.Parse("224.0.0.1");
    private static readonly IPAddress AllNodesV6 = IPAddress.Parse("ff02::1");

    /// <summary>(Re)starts the send schedules (attach, link up, online, a new test address). It never starts a
    /// quiet period: that belongs to the instance's creation only (see <see cref="Attach"/>).</summary>
    private void StartProbing(InterfaceRuntime ifp)
    {
        if (!ifp.Present || !ifp.LinkUp || ifp.State == PiState.Offline) return;
        foreach (var pi in ifp.Instances)
        {
            if (!pi.CanProbe || pi.NextSendAt is not null) continue;
            pi.StartSchedule(Now, ifp.Group.ConfiguredInterval, _random);
        }
    }

    private static void StopProbing(InterfaceRuntime ifp)
    {
        foreach (var pi in ifp.Instances) pi.StopSchedule();
    }

    private void TimerRound()
    {
        var now = Now;
        _timerScratch.Clear();
        _timerScratch.AddRange(_interfaces.Values);   // the loop may add or remove members
        foreach (var ifp in _timerScratch)
        {
            if (ifp.FlapRecheckAt is { } f && f <= now)
            {
                CheckRepair(ifp);
                if (ifp.FlapRecheckAt is { } g && g <= now) ifp.FlapRecheckAt = null;
            }
            if (ifp.TestAddressCheckAt is { } t && t <= now)
            {
                ifp.TestAddressCheckAt = null;
                if (!ifp.CanProbe && !ifp.NoTestAddressLogged)
                {
                    Log(MessageCatalog.NoTestAddress(ifp.Name));
                    ifp.NoTestAddressLogged = true;
                }
            }
            if (!ifp.Present || !ifp.LinkUp || ifp.State == PiState.Offline) continue;
            // The probe that completes a failure is judged at its deadline, not at the next slot (EngineOptions).
            if (DecidingProbeOverdueAt(ifp, now) is { } overdue && overdue <= now) EvaluateFailure(ifp, linkDown: false);
            if (!_interfaces.ContainsKey(ifp.Name)) continue;
            foreach (var pi in ifp.Instances)
                if (pi.CanProbe && pi.NextSendAt is { } due && due <= now && _interfaces.ContainsKey(ifp.Name))
                    Slot(ifp, pi, now);
        }
    }

    /// <summary>
    /// One probe slot of one instance (illumos mpd_probe.c, phyint_inst_timer): an RTT-only probe while the
    /// FDT is raised and this is not a failure-detection slot; otherwise the two newest probes are judged
    /// (<see cref="ProbeInstance.JudgeAtSlot"/>), then failure (running, outside the quiet period, newest
    /// resolved probe lost) or repair (failed, newest resolved probe acked) is checked, and only then the next
    /// failure probe leaves, plus multicast discovery while the instance has fewer than two targets.
    /// </summary>
    private void Slot(InterfaceRuntime ifp, ProbeInstance pi, TimeSpan now)
    {
        var group = ifp.Group;
        var missed = pi.ScheduleNext(now, group.ConfiguredInterval, _random);
        if (missed > 0) Counters.MissedProbeSlots += missed;

        if (!pi.HasTargets)
        {
            // A transitive instance has nobody to discover: its peers come from the group (RefreshProbeRoles).
            if (!pi.IsLink) SendMulticast(ifp, pi, now);
            return;
        }
        if (!pi.HasActiveTargets) pi.ReactivateAfterLoss(now);

        var slotsPerProbe = group.FdtRaised
            ? (int)Math.Ceiling(group.ProbeInterval.Ticks / (double)group.ConfiguredInterval.Ticks)
            : 1;
        var slot = pi.SlotCounter++;
        if (slotsPerProbe > 1 && slot % slotsPerProbe != 0)
        {
            if (pi.IsLink) return;   // transitive probes are failure probes only
            var rttTarget = pi.ActiveTargets.ElementAtOrDefault((int)(slot % Math.Max(1, pi.ActiveTargets.Count())));
            if (rttTarget is not null) SendIcmp(ifp, pi, rttTarget.Address, pi.History.NextSequence, ProbeKind.Rtt, now);
            return;
        }

        ReportLosses(ifp, pi, pi.JudgeAtSlot(now, group.ProbeInterval, _lostScratch));
        var newest = pi.History.NewestResolved();
        var newestStatus = newest < 0 ? ProbeRecordStatus.Unused : pi.History.Recent(newest).Status;
        if (ifp.State == PiState.Running && newestStatus == ProbeRecordStatus.Lost)
        {
            // Spanning-tree quiet period of a freshly created instance: its losses do not count yet.
            if (now >= pi.QuietUntil) EvaluateFailure(ifp, linkDown: false);
        }
        else if (ifp.State == PiState.Failed && newestStatus == ProbeRecordStatus.Acked)
        {
            CheckRepair(ifp);
        }
        if (!_interfaces.ContainsKey(ifp.Name) || !pi.CanProbe) return;

        // A group failure may have flushed the host targets: look for new ones.
        if (!pi.HasTargets)
        {
            if (!pi.IsLink) SendMulticast(ifp, pi, now);
            return;
        }
        if (!pi.HasActiveTargets) pi.ReactivateAfterLoss(now);
        var target = pi.NextTarget(now);
        if (target is null) return;
        var peerMac = target.Peer is { } peer ? _interfaces.GetValueOrDefault(peer)?.Link?.Mac : null;
        if (pi.IsLink && peerMac is null) return;
        var seq = pi.History.NextSequence;
        ref var r = ref pi.Send(target, now);
        Counters.ProbesSent++;
        if (_observer.WantsProbes)
            _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Sent, now, now, null, null, target.Address,
            target.Rtt.Average, target.Rtt.Deviation, target.Peer));
        if (pi.IsLink) SendTransitive(ifp, target.Peer!, peerMac!, seq, now);
        else SendIcmp(ifp, pi, target.Address, seq, ProbeKind.Unicast, now);

        // With a single host target, keep looking for more.
        if (pi.Targets.Count == 1 && pi.Targets[0].Kind == TargetKind.Host) SendMulticast(ifp, pi, now);
    }

    /// <summary>Counts and reports the probes <see cref="ProbeInstance"/> just declared lost (in _lostScratch).</summary>
    private void ReportLosses(InterfaceRuntime ifp, ProbeInstance pi, int count)
    {
        if (count == 0)
        {
            _lostScratch.Clear();
            return;
        }
        Counters.ProbesLost += count;
        Counters.ProbesDeclaredLost += count;
        if (_observer.WantsProbes)
            foreach (var r in _lostScratch)
                _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Lost, r.Start, r.Sent, null, null,
                    r.Target!.Address, r.Target.Rtt.Average, r.Target.Rtt.Deviation, r.Target.Peer));
        _lostScratch.Clear();
    }

    /// <summary>A decision is about to read the history between slots: overdue probes count as lost
    /// (illumos probe_fail_info, probe_success_info).</summary>
    private void JudgeOverdue(InterfaceRuntime ifp)
    {
        foreach (var pi in ifp.Instances)
            if (pi.CanProbe) ReportLosses(ifp, pi, pi.JudgeOverdue(Now, ifp.Group.ProbeInterval, _lostScratch));
    }

    private void SendMulticast(InterfaceRuntime ifp, ProbeInstance pi, TimeSpan now) =>
        SendIcmp(ifp, pi, pi.IsV6 ? AllNodesV6 : AllHostsV4, pi.History.NextSequence, ProbeKind.Multicast, now);

    private void SendIcmp(InterfaceRuntime ifp, ProbeInstance pi, IPAddress destination, ushort seq, ProbeKind kind, TimeSpan now)
    {
        var packet = new ProbePacket(pi.IsV6, false, ifp.Identifier, seq, (ulong)now.Ticks * 100, kind, _options.Cookie);
        Emit(new SendProbe(ifp.Name, pi.TestAddress!.Value.Address, destination, packet.Encode()));
    }

    /// <summary>The executor reports when the probe really left: a daemon descheduled between the round
    /// start and the send must not read that delay as network RTT (and raise the FDT), and the probe's
    /// deadline counts from here.</summary>
    private void OnProbeSent(ProbeSent e)
    {
        if (!_interfaces.TryGetValue(e.Probe.Interface, out var ifp)) return;
        var pi = e.Probe.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? ifp.V6 : ifp.V4;
        pi.ReportSent(e.Probe.Sequence, e.SentAt);
    }

    private void OnProbeReply(ProbeReplyReceived e)
    {
        if (!_interfaces.TryGetValue(e.Interface, out var ifp) || !ifp.Present) return;
        var isV6 = e.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var pi = isV6 ? ifp.V6 : ifp.V4;
        if (!ProbePacket.TryDecodeReply(e.Icmp.Span, isV6, out var packet, out var reason))
        {
            Counters.ProbeRepliesMalformed++;
            Log(MessageCatalog.MalformedProbeReply(reason!, e.Source.ToString(), ifp.Name));
            return;
        }
        // Not ours (another daemon, another run, another NIC): silently ignored.
        if (packet.Identifier != ifp.Identifier || packet.Cookie != _options.Cookie || !pi.CanProbe)
        {
            Counters.ProbeRepliesIgnored++;
            return;
        }
        // While the link is down no probe is outstanding: drop, as illumos does.
        if (!ifp.LinkUp || ifp.State == PiState.Offline) return;
        if (e.Source.Equals(IPAddress.Any) || e.Source.Equals(IPAddress.IPv6Any))
        {
            Counters.ProbeRepliesIgnored++;
            return;
        }
        var now = Now;
        switch (packet.Kind)
        {
            case ProbeKind.Multicast:
                OnMulticastReply(ifp, pi, e.Source, now);
                break;
            case ProbeKind.Rtt:
                OnRttReply(ifp, pi, e.Source, packet, e.ReceivedAt ?? now);
                break;
            default:
                OnUnicastReply(ifp, pi, e.Source, packet, e.ReceivedAt ?? now, now);
                break;
        }
    }

    private void OnUnicastReply(InterfaceRuntime ifp, ProbeInstance pi, IPAddress source, ProbePacket packet,
        TimeSpan received, TimeSpan now)
    {
        var snxt = pi.History.NextSequence;
        var reply = pi.Acknowledge(packet.Sequence, source, received, now);
        Acknowledged(ifp, pi, reply, packet.Sequence, snxt, source, received, now);
    }

    /// <summary>What an answer to a failure probe does, ICMP or transitive: counters, the RTT sample, the
    /// probe event, and the repair check. <paramref name="from"/> (an address, or a member's name) is turned
    /// into text only for a log line: not per answered probe.</summary>
    private void Acknowledged(InterfaceRuntime ifp, ProbeInstance pi, ProbeReply reply, ushort sequence, ushort snxt,
        object from, TimeSpan received, TimeSpan now)
    {
        switch (reply.Verdict)
        {
            case ProbeReplyVerdict.OutOfWindow:
                Counters.ProbeRepliesIgnored++;
                Log(MessageCatalog.OutOfWindowProbe(sequence, snxt, ifp.Name, from.ToString()!));
                return;
            case ProbeReplyVerdict.Fake:
                Counters.ProbeRepliesIgnored++;
                Log(MessageCatalog.FakeProbeReply((int)reply.Status, sequence, snxt, ifp.Name, from.ToString()!));
                return;
            case ProbeReplyVerdict.Duplicate:
                Counters.ProbeRepliesIgnored++;
                Log(MessageCatalog.DuplicateProbeReply((int)reply.Status, sequence, snxt, ifp.Name, from.ToString()!));
                return;
            case ProbeReplyVerdict.LateIgnored:
                Counters.LateReplies++;
                Counters.ProbeRepliesIgnored++;
                break;
            case ProbeReplyVerdict.LateAcked:
                Counters.LateReplies++;
                Counters.ProbesLost--;
                Counters.ProbesAcked++;
                break;
            default:
                Counters.ProbesAcked++;
                break;
        }
        ref var r = ref pi.History.Recent(reply.Age);
        var target = r.Target!;
        // Only the highest sequence acked from a target teaches the estimator (illumos highest_ack_tg).
        var olderSample = target.LastAckedSequence is { } last && (short)(sequence - last) < 0;
        if (reply.Counts && !olderSample) target.LastAckedSequence = sequence;
        if (!olderSample) TakeRttSample(ifp, pi, target, reply.SampleNs);
        if (!reply.Counts) return;
        if (Settings.TransitiveProbing)
        {
            // An ICMP answer proves the network works for the group: a transitive hand-over is confirmed.
            if (!pi.IsLink) ifp.Group.UnconfirmedHandover = false;
            // Any answer shows the port forwards (spanning tree is done there): roles move between a member's
            // instances, so the quiet period ends for all of them.
            foreach (var other in ifp.Instances)
                if (other.QuietUntil > now) other.QuietUntil = now;
        }
        if (_observer.WantsProbes)
            _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Acked, r.Start, r.Sent, received, now,
            target.Address, target.Rtt.Average, target.Rtt.Deviation, target.Peer));
        if (ifp.Failed) CheckRepair(ifp);
    }

    private void OnRttReply(InterfaceRuntime ifp, ProbeInstance pi, IPAddress source, ProbePacket packet, TimeSpan received)
    {
        var target = pi.FindTarget(source);
        var start = TimeSpan.FromTicks((long)(packet.Timestamp / 100));
        if (target is null || ifp.State != PiState.Running || ifp.Group.State == GroupState.Failed) return;
        // Clamped like a unicast sample (see ProbeInstance.RttSampleNs); counted from the round start, the
        // only time the packet carries, so never shorter than the truth.
        var sampleNs = Math.Max(0, (received - start).Ticks * 100);
        // RTT probes only ever lower the estimate (illumos pi_set_crtt with is_probe_uni false).
        if (target.Rtt.CrttAfter(sampleNs) >= target.Rtt.Crtt) return;
        target.Rtt.Add(sampleNs);
        MaybeLowerFdt(ifp, pi, target);
    }
}
