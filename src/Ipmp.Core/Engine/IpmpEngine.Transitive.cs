using System.Net;
using Ipmp.Core.Commands;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

/// <summary>
/// Transitive probing (TRANSITIVE_PROBING=yes; Solaris 11 in.mpathd, config/transitive-probing): no test
/// addresses. A member that holds an IPv4 data address probes the targets with ICMP from it; every other
/// member (standbys, actives without an address of their own, failed members whose addresses moved away)
/// exchanges link-layer probes with the members that probe with ICMP. Roles follow the data addresses, so
/// they are refreshed whenever a group is reconciled.
/// </summary>
public sealed partial class IpmpEngine
{
    /// <summary>Members without any test address of their own, in a named group, when the key is on.</summary>
    private bool ProbesFromDataAddress(InterfaceRuntime ifp) =>
        Settings.TransitiveProbing && !ifp.Group.IsAnonymous
        && ifp.Config?.TestAddressV4 is null && ifp.Config?.ProbeV6 != true;

    /// <summary>The IPv4 data address this member holds (the one it already probes from, while it keeps it).</summary>
    private static IpPrefix? DataProbeSource(InterfaceRuntime ifp, HashSet<IpPrefix> kernel)
    {
        IpPrefix? first = null;
        foreach (var a in ifp.Group.Addresses)
        {
            if (a.BoundTo != ifp.Name || a.Prefix.IsV6 || !kernel.Contains(a.Prefix)) continue;
            if (ifp.V4.FromDataAddress && ifp.V4.TestAddress == a.Prefix) return a.Prefix;
            first ??= a.Prefix;
        }
        return first;
    }

    /// <summary>After placement: who probes with ICMP (from a data address), who transitively, and to whom.
    /// ICMP sources first, for every member, since the transitive peers are chosen from them.</summary>
    private void RefreshProbeRoles(GroupRuntime group)
    {
        foreach (var m in group.Members)
        {
            var answer = Settings.TransitiveProbing && !group.IsAnonymous && m.Present;
            if (answer == m.AnswersTransitive) continue;
            m.AnswersTransitive = answer;
            Emit(new ListenTransitive(m.Name, answer));
        }
        if (!Settings.TransitiveProbing || group.IsAnonymous)
        {
            // The key was turned off by a reload: no member probes transitively or from a data address now.
            foreach (var m in group.Members)
                if (m.Transitive.TransitiveOn || m.V4.FromDataAddress)
                {
                    if (m.Present) RefreshTestAddresses(m);
                    SyncTransitive(m);
                }
            return;
        }
        foreach (var m in group.Members)
            if (m.Present) RefreshTestAddresses(m);
        foreach (var m in group.Members) SyncTransitive(m);
    }

    /// <summary>
    /// Turns the member's transitive instance on or off and keeps its peers: the group's other members that
    /// probe with ICMP and have not failed (all of them while every one has: a group failure must still be
    /// seen repaired). A peer that goes takes the history with it: what was lost on the way to it says nothing
    /// about the next one.
    /// </summary>
    private void SyncTransitive(InterfaceRuntime ifp)
    {
        var pi = ifp.Transitive;
        var on = ifp.Present && ProbesFromDataAddress(ifp) && !ifp.ProbesIcmp;
        if (on != pi.TransitiveOn)
        {
            pi.TransitiveOn = on;
            pi.Targets.Clear();
            pi.History.Clear();
            pi.StopSchedule();
            // Its quiet period is the interface's, from its creation (Attach): a role change later is none.
        }
        if (on)
        {
            var probers = ifp.Group.Members.Where(m => m != ifp && m.Present && m.ProbesIcmp && m.Link is not null).ToList();
            var working = probers.Where(m => !m.Failed).ToList();
            var peers = (working.Count > 0 ? working : probers).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            var removed = false;
            foreach (var t in pi.Targets.Where(t => !peers.Contains(t.Peer!)).ToList())
            {
                pi.RemoveTarget(t);
                removed = true;
            }
            if (removed) pi.History.Clear();
            foreach (var peer in peers.Order(StringComparer.Ordinal))
                if (!pi.Targets.Any(t => t.Peer == peer)) pi.AddTarget(IPAddress.None, TargetKind.Peer, Now, peer);
        }
        UpdateTargetState(ifp);
        if (on && pi.HasTargets && ifp.State != PiState.Init) StartProbing(ifp);
    }

    private void SendTransitive(InterfaceRuntime ifp, string peer, System.Net.NetworkInformation.PhysicalAddress peerMac,
        ushort seq, TimeSpan now)
    {
        var frame = new TransitiveFrame(false, ifp.Identifier, seq, (ulong)now.Ticks * 100, _options.Cookie);
        Emit(new SendTransitiveProbe(ifp.Name, peer, peerMac, frame.Encode()));
    }

    private void OnTransitiveProbeSent(TransitiveProbeSent e)
    {
        if (_interfaces.TryGetValue(e.Interface, out var ifp)) ifp.Transitive.ReportSent(e.Sequence, e.SentAt);
    }

    /// <summary>A transitive reply: ours (identifier, cookie), from a member of the same group (by MAC), to a
    /// probe of this member's transitive instance. Anything else is counted, never logged per frame.</summary>
    private void OnTransitiveReply(TransitiveReplyReceived e)
    {
        if (!_interfaces.TryGetValue(e.Interface, out var ifp) || !ifp.Present) return;
        if (!TransitiveFrame.TryDecode(e.Frame.Span, out var frame) || !frame.IsReply)
        {
            Counters.ProbeRepliesMalformed++;
            return;
        }
        var pi = ifp.Transitive;
        var peer = ifp.Group.Members.FirstOrDefault(m => m != ifp && m.Link is { } l && l.Mac.Equals(e.From));
        if (frame.Identifier != ifp.Identifier || frame.Cookie != _options.Cookie || !pi.CanProbe || peer is null)
        {
            Counters.ProbeRepliesIgnored++;
            return;
        }
        if (!ifp.LinkUp || ifp.State == PiState.Offline) return;
        var now = Now;
        var snxt = pi.History.NextSequence;
        var received = e.ReceivedAt ?? now;
        var reply = pi.AcknowledgePeer(frame.Sequence, peer.Name, received, now);
        Acknowledged(ifp, pi, reply, frame.Sequence, snxt, $"<{peer.Name}>", received, now);
    }

    /// <summary>
    /// The member that probes with ICMP lost its probes and no other member's ICMP answers show the network
    /// works. With test addresses that is a group failure; here the transitive members could not reach it
    /// either, which points at its own port (or the switch). Solaris 11 documents no rule for this; ours: fail
    /// it so that its data addresses, and the ICMP role, move to a member that still works. If that member's
    /// ICMP probes fail too before any answer (<see cref="GroupRuntime.UnconfirmedHandover"/>), it is a group
    /// failure after all. Not when a transitive member still reaches it: its port works and the targets are
    /// what is gone, a group failure as illumos has it.
    /// </summary>
    private bool HandOver(InterfaceRuntime ifp)
    {
        var group = ifp.Group;
        if (!Settings.TransitiveProbing || group.IsAnonymous || group.UnconfirmedHandover || !ifp.ProbesIcmp) return false;
        foreach (var m in group.Members)
        {
            if (m == ifp || !m.Present) continue;
            // Another working ICMP prober that is silent too: the network, not this port.
            if (m.ProbesIcmp && !m.Failed) return false;
            if (m.Transitive.CanProbe && NewestTo(m.Transitive, ifp.Name) == ProbeRecordStatus.Acked) return false;
        }
        var successor = group.Members.Any(m => m != ifp && m.Present && m.LinkUp && !m.Failed && !m.Offline
            && m.State is PiState.Running or PiState.NoTargets);
        if (!successor) return false;
        group.UnconfirmedHandover = true;
        Changed("probe-handover", group, ifp, "transitive peers cannot reach it either");
        return true;
    }

    /// <summary>The outcome of the newest resolved transitive probe to <paramref name="peer"/>, if any.</summary>
    private static ProbeRecordStatus? NewestTo(ProbeInstance pi, string peer)
    {
        for (var i = 0; i < pi.History.Count; i++)
        {
            ref var r = ref pi.History.Recent(i);
            if (r.Target?.Peer != peer || r.Status is not (ProbeRecordStatus.Acked or ProbeRecordStatus.Lost)) continue;
            return r.Status;
        }
        return null;
    }
}
