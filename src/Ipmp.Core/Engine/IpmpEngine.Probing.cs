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

    private void StartProbing(InterfaceRuntime ifp)
    {
        if (!ifp.Present || !ifp.LinkUp || ifp.State == PiState.Offline) return;
        foreach (var pi in ifp.Instances)
        {
            if (!pi.CanProbe || pi.NextSendAt is not null) continue;
            pi.StartSchedule(Now, ifp.Group.ConfiguredInterval, _random);
            pi.QuietUntil = Now + _options.QuietPeriod;
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

            var lost = false;
            foreach (var pi in ifp.Instances)
            {
                if (!pi.CanProbe) continue;
                lost |= ResolveLosses(ifp, pi, now);
                if (pi.NextSendAt is { } due && due <= now) SendRound(ifp, pi, now);
            }
            if (lost) AfterLoss(ifp);
        }
    }

    /// <summary>Declares lost what has waited past start + CRTT; at most one probe stays outstanding
    /// besides the newest (illumos looks only at the last two).</summary>
    private bool ResolveLosses(InterfaceRuntime ifp, ProbeInstance pi, TimeSpan now)
    {
        var any = false;
        for (var i = 0; i < Math.Min(2, pi.History.Count); i++)
        {
            ref var r = ref pi.History.Recent(i);
            if (r.Status != ProbeRecordStatus.Unacked) continue;
            var crtt = r.Target!.Rtt.Crtt;
            var deadline = r.Start + (crtt > TimeSpan.Zero ? crtt : ifp.Group.ProbeInterval);
            if (i == 0 && deadline >= now) continue;
            MarkLost(ifp, pi, ref r, now);
            any = true;
        }
        return any;
    }

    private void MarkLost(InterfaceRuntime ifp, ProbeInstance pi, ref ProbeRecord r, TimeSpan now)
    {
        r.Status = ProbeRecordStatus.Lost;
        r.LostAt = now;
        pi.Lost++;
        Counters.ProbesLost++;
        if (_observer.WantsProbes)
            _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Lost, r.Start, r.Sent, null, null,
            r.Target!.Address, r.Target.Rtt.Average, r.Target.Rtt.Deviation));
    }

    private void AfterLoss(InterfaceRuntime ifp)
    {
        if (ifp.State != PiState.Running) return;
        // Quiet period: ride out spanning-tree learning (it ends at the first acked probe, see OnUnicastReply).
        if (ifp.Instances.Any(pi => pi.CanProbe && pi.HasTargets && Now < pi.QuietUntil)) return;
        EvaluateFailure(ifp, linkDown: false);
    }

    /// <summary>One probe slot: a failure probe (or an RTT probe while the FDT is raised), plus multicast
    /// discovery while the instance has fewer than two targets.</summary>
    private void SendRound(InterfaceRuntime ifp, ProbeInstance pi, TimeSpan now)
    {
        var group = ifp.Group;
        var missed = pi.ScheduleNext(now, group.ConfiguredInterval, _random);
        if (missed > 0) Counters.MissedProbeSlots += missed;

        if (!pi.HasTargets)
        {
            SendMulticast(ifp, pi, now);
            return;
        }
        if (!pi.ActiveTargets.Any()) pi.ReactivateAfterLoss(now);

        var slotsPerProbe = group.FdtRaised
            ? (int)Math.Ceiling(group.ProbeInterval.Ticks / (double)group.ConfiguredInterval.Ticks)
            : 1;
        var slot = pi.SlotCounter++;
        if (slotsPerProbe > 1 && slot % slotsPerProbe != 0)
        {
            var rttTarget = pi.ActiveTargets.ElementAtOrDefault((int)(slot % Math.Max(1, pi.ActiveTargets.Count())));
            if (rttTarget is not null) SendIcmp(ifp, pi, rttTarget.Address, pi.History.NextSequence, ProbeKind.Rtt, now);
            return;
        }

        var target = pi.NextTarget(now);
        if (target is null) return;
        // The probe before the previous one can no longer be valid.
        if (pi.History.Count >= 2 && pi.History.Recent(1).Status == ProbeRecordStatus.Unacked)
            MarkLost(ifp, pi, ref pi.History.Recent(1), now);
        var seq = pi.History.NextSequence;
        ref var r = ref pi.History.Add(target, now, now);
        pi.Sent++;
        Counters.ProbesSent++;
        if (_observer.WantsProbes)
            _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Sent, now, now, null, null, target.Address,
            target.Rtt.Average, target.Rtt.Deviation));
        SendIcmp(ifp, pi, target.Address, seq, ProbeKind.Unicast, now);

        // With a single host target, keep looking for more.
        if (pi.Targets.Count == 1 && pi.Targets[0].Kind == TargetKind.Host) SendMulticast(ifp, pi, now);
    }

    private void SendMulticast(InterfaceRuntime ifp, ProbeInstance pi, TimeSpan now) =>
        SendIcmp(ifp, pi, pi.IsV6 ? AllNodesV6 : AllHostsV4, pi.History.NextSequence, ProbeKind.Multicast, now);

    private void SendIcmp(InterfaceRuntime ifp, ProbeInstance pi, IPAddress destination, ushort seq, ProbeKind kind, TimeSpan now)
    {
        var packet = new ProbePacket(pi.IsV6, false, ifp.Identifier, seq, (ulong)now.Ticks * 100, kind, _options.Cookie);
        Emit(new SendProbe(ifp.Name, pi.TestAddress!.Value.Address, destination, packet.Encode()));
    }

    /// <summary>The executor reports when the probe really left: a daemon descheduled between the round
    /// start and the send must not read that delay as network RTT (and raise the FDT).</summary>
    private void OnProbeSent(ProbeSent e)
    {
        if (!_interfaces.TryGetValue(e.Probe.Interface, out var ifp)) return;
        var pi = e.Probe.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? ifp.V6 : ifp.V4;
        if (!pi.History.TryFind(e.Probe.Sequence, out var age)) return;
        ref var r = ref pi.History.Recent(age);
        if (r.Status == ProbeRecordStatus.Unacked && e.SentAt >= r.Start) r.Sent = e.SentAt;
    }

    private void OnProbeReply(ProbeReplyReceived e)
    {
        if (!_interfaces.TryGetValue(e.Interface, out var ifp) || !ifp.Present) return;
        var isV6 = e.Source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var pi = isV6 ? ifp.V6 : ifp.V4;
        var from = e.Source.ToString();
        if (!ProbePacket.TryDecodeReply(e.Icmp.Span, isV6, out var packet, out var reason))
        {
            Counters.ProbeRepliesMalformed++;
            Log(MessageCatalog.MalformedProbeReply(reason!, from, ifp.Name));
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
        if (!pi.History.TryFind(packet.Sequence, out var age))
        {
            Counters.ProbeRepliesIgnored++;
            Log(MessageCatalog.OutOfWindowProbe(packet.Sequence, snxt, ifp.Name, source.ToString()));
            return;
        }
        ref var r = ref pi.History.Recent(age);
        if (!r.Target!.Address.Equals(source))
        {
            Counters.ProbeRepliesIgnored++;
            Log(MessageCatalog.FakeProbeReply((int)r.Status, packet.Sequence, snxt, ifp.Name, source.ToString()));
            return;
        }
        if (r.Status == ProbeRecordStatus.Acked)
        {
            Counters.ProbeRepliesIgnored++;
            Log(MessageCatalog.DuplicateProbeReply((int)r.Status, packet.Sequence, snxt, ifp.Name, source.ToString()));
            return;
        }
        var target = r.Target;
        var sampleNs = (received - r.Sent).Ticks * 100;
        // Late means late on the wire: a reply the kernel had received before we declared the probe lost
        // was delayed by our own scheduling (a busy machine), not by the network, and counts.
        var late = r.Status == ProbeRecordStatus.Lost && !(r.LostAt is { } lostAt && received <= lostAt);
        if (!late)
        {
            // A late reply does not rewrite history (illumos turns LOST into ACKED, section 9): a decision
            // taken on a loss stays justified. Its RTT still teaches the estimator how slow the path is.
            if (r.Status == ProbeRecordStatus.Lost)
            {
                pi.Lost--;
                Counters.ProbesLost--;
            }
            r.Status = ProbeRecordStatus.Acked;
            r.AckReceived = received;
            r.AckProcessed = now;
            pi.Acked++;
            Counters.ProbesAcked++;
            if (pi.QuietUntil > now) pi.QuietUntil = now;   // the path works: the quiet period is over
        }
        else
        {
            Counters.ProbeRepliesIgnored++;
        }
        var olderSample = target.LastAckedSequence is { } last && (short)(packet.Sequence - last) < 0;
        if (!late) target.LastAckedSequence = packet.Sequence;
        if (!olderSample) TakeRttSample(ifp, pi, target, sampleNs);
        if (!late)
        {
            if (_observer.WantsProbes)
                _observer.Probe(new ProbeEvent(r.Sequence, ifp.Name, ProbeEventState.Acked, r.Start, r.Sent, received, now,
                target.Address, target.Rtt.Average, target.Rtt.Deviation));
            if (ifp.Failed) CheckRepair(ifp);
        }
    }

    private void OnRttReply(InterfaceRuntime ifp, ProbeInstance pi, IPAddress source, ProbePacket packet, TimeSpan received)
    {
        var target = pi.FindTarget(source);
        var start = TimeSpan.FromTicks((long)(packet.Timestamp / 100));
        if (target is null || ifp.State != PiState.Running || ifp.Group.State == GroupState.Failed) return;
        var sampleNs = (received - start).Ticks * 100;
        // RTT probes only ever lower the estimate (their timestamp is the only proof of when they left).
        if (sampleNs < 0 || target.Rtt.CrttAfter(sampleNs) >= target.Rtt.Crtt) return;
        target.Rtt.Add(sampleNs);
        MaybeLowerFdt(ifp, pi, target);
    }
}
