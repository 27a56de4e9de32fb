using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    private void OnRoutes(RoutesObserved r)
    {
        _routes[r.Family] = r.Routes.ToList();
        foreach (var ifp in _interfaces.Values.Where(i => i.Present)) SyncRouteTargets(ifp);
    }

    /// <summary>Chooses each family's test address: the configured IPv4 one once the kernel has it (the
    /// IPv6 one is the link-local address); in the anonymous group the data addresses double as test
    /// addresses. A duplicate within the group disables probing on the later interface.</summary>
    private void RefreshTestAddresses(InterfaceRuntime ifp)
    {
        if (!ifp.Present) return;
        var kernel = KernelAddresses(ifp.Name);
        IpPrefix? v4 = null, v6 = null;
        if (ifp.Group.IsAnonymous)
        {
            v4 = kernel.Where(a => !a.IsV6).Cast<IpPrefix?>().FirstOrDefault();
            v6 = kernel.Where(a => a.IsV6 && a.Address.IsIPv6LinkLocal).Cast<IpPrefix?>().FirstOrDefault();
        }
        else
        {
            if (ifp.Config?.TestAddressV4 is { } t)
            {
                if (!kernel.Contains(t) && _synchronised) AddKernelAddress(ifp.Name, t, Commands.AddressRole.Test);
                if (kernel.Contains(t)) v4 = t;
            }
            if (ifp.Config?.ProbeV6 == true)
                v6 = kernel.Where(a => a.IsV6 && a.Address.IsIPv6LinkLocal).Cast<IpPrefix?>().FirstOrDefault();
            if (v4 is { } a4 && TestAddressTaken(ifp, a4)) v4 = null;
            if (v6 is { } a6 && TestAddressTaken(ifp, a6)) v6 = null;
        }
        var fromData = v4 is null && v6 is null && ProbesFromDataAddress(ifp);
        if (fromData) v4 = DataProbeSource(ifp, kernel);
        ifp.V4.FromDataAddress = fromData && v4 is not null;
        SetTestAddress(ifp, ifp.V4, v4);
        SetTestAddress(ifp, ifp.V6, v6);
    }

    private bool TestAddressTaken(InterfaceRuntime ifp, IpPrefix address)
    {
        var other = ifp.Group.Members.FirstOrDefault(m => m != ifp && m.Present &&
            (Equals(m.V4.TestAddress?.Address, address.Address) || Equals(m.V6.TestAddress?.Address, address.Address)));
        if (other is null) return false;
        Log(MessageCatalog.TestAddressNotUnique(address.Address.ToString(), ifp.Name));
        return true;
    }

    private void SetTestAddress(InterfaceRuntime ifp, ProbeInstance pi, IpPrefix? address)
    {
        if (pi.TestAddress == address) return;
        var had = ifp.CanProbe;
        pi.TestAddress = address;
        pi.Targets.Clear();
        pi.History.Clear();
        pi.StopSchedule();
        if (address is null) return;
        if (!had && ifp.NoTestAddressLogged)
        {
            Log(MessageCatalog.TestAddressConfigured(ifp.Name));
            ifp.NoTestAddressLogged = false;
        }
        ifp.TestAddressCheckAt = null;
        SyncRouteTargets(ifp);
        if (ifp.State is PiState.Running or PiState.NoTargets)
            ifp.State = ifp.HasTargets ? PiState.Running : PiState.NoTargets;
        if (ifp.State != PiState.Init) StartProbing(ifp);
    }

    /// <summary>
    /// Router targets from the routing table: next hops of gateway routes inside the test subnet (IPv6:
    /// link-local next hops of routes through a member), then on-link host routes inside the test subnet
    /// (the operator's way to name targets). Our own addresses never qualify. Once any router target
    /// exists, multicast-discovered host targets go. While the group is failed, vanished routers are kept
    /// so that a repair can still be seen.
    /// </summary>
    private void SyncRouteTargets(InterfaceRuntime ifp)
    {
        foreach (var pi in ifp.Instances)
        {
            if (pi.TestAddress is not { } test) continue;
            var family = pi.Family;
            var routers = new List<IPAddress>();
            foreach (var route in _routes[family])
            {
                var candidate = route.Gateway is { } gw ? gw : route.IsHostRoute ? route.Destination.Address : null;
                if (candidate is null || routers.Contains(candidate) || IsOwnAddress(candidate)) continue;
                if (family == AddressFamily.InterNetworkV6)
                {
                    if (!candidate.IsIPv6LinkLocal) continue;
                    var via = route.Interface;
                    var sameGroup = via == ifp.Name || (!ifp.Group.IsAnonymous && ifp.Group.Members.Any(m => m.Name == via));
                    if (!sameGroup) continue;
                }
                else if (!test.Contains(candidate))
                {
                    continue;
                }
                if (route.Gateway is null && !route.IsHostRoute) continue;
                routers.Add(candidate);
            }
            // Gateways first, then host routes: order of discovery already follows the table; sort stably.
            var gateways = _routes[family].Where(r => r.Gateway is not null).Select(r => r.Gateway!).ToHashSet();
            routers = routers.OrderBy(a => gateways.Contains(a) ? 0 : 1).ToList();

            var now = Now;
            var keepVanished = ifp.Group.State == GroupState.Failed && !ifp.Group.IsAnonymous;
            foreach (var t in pi.Targets.Where(t => t.Kind == TargetKind.Router && !routers.Contains(t.Address)).ToList())
                if (!keepVanished) pi.RemoveTarget(t);
            // A host found by multicast that turns out to be a router is added again as a router target
            // before the host targets go (otherwise it would be found as "known" and then deleted with them).
            foreach (var a in routers)
                if (!pi.Targets.Any(t => t.Kind == TargetKind.Router && t.Address.Equals(a))) pi.AddTarget(a, TargetKind.Router, now);
            if (routers.Count > 0)
                foreach (var h in pi.Targets.Where(t => t.Kind == TargetKind.Host).ToList()) pi.RemoveTarget(h);
            if (!pi.HasTargets) CopyHostTargets(ifp, pi, test, now);
        }
        UpdateTargetState(ifp);
    }

    /// <summary>An instance with no targets takes the host targets its group's other members found (illumos
    /// 3.5): a NIC that joins with a dead port must not sit "assumed working" for want of an answer to its
    /// own multicast probe.</summary>
    private static void CopyHostTargets(InterfaceRuntime ifp, ProbeInstance pi, IpPrefix test, TimeSpan now)
    {
        if (ifp.Group.IsAnonymous) return;
        foreach (var other in ifp.Group.Members)
        {
            if (other == ifp) continue;
            foreach (var t in (pi.IsV6 ? other.V6 : other.V4).Targets.Where(t => t.Kind == TargetKind.Host))
            {
                if (pi.Targets.Count >= ProbeInstance.MaxActiveTargets) return;
                if (pi.FindTarget(t.Address) is null && (pi.IsV6 || test.Contains(t.Address))) pi.AddTarget(t.Address, TargetKind.Host, now);
            }
        }
    }

    /// <summary>PI_NOTARGETS when neither family has a target; back to running when one appears.</summary>
    private void UpdateTargetState(InterfaceRuntime ifp)
    {
        if (ifp.State == PiState.Running && ifp.CanProbe && !ifp.HasTargets) ifp.State = PiState.NoTargets;
        else if (ifp.State == PiState.NoTargets && ifp.HasTargets)
            ifp.State = ifp.Failed ? PiState.Failed : PiState.Running;
        else if (ifp.State == PiState.Failed && !ifp.HasTargets && ifp.CanProbe) ifp.State = PiState.NoTargets;
    }

    private bool IsOwnAddress(IPAddress a) => _kernelAddresses.Values.Any(s => s.Any(p => p.Address.Equals(a)));

    /// <summary>A host answered the all-hosts/all-nodes echo: it becomes a host target of every member of
    /// the group (only of this interface in the anonymous group), up to five.</summary>
    private void OnMulticastReply(InterfaceRuntime ifp, ProbeInstance pi, IPAddress source, TimeSpan now)
    {
        if (IsOwnAddress(source) || pi.HasRouterTargets) return;
        var members = ifp.Group.IsAnonymous ? [ifp] : ifp.Group.Members.Where(m => m.Present).ToList();
        foreach (var m in members)
        {
            var mpi = pi.IsV6 ? m.V6 : m.V4;
            if (mpi.TestAddress is not { } test || mpi.HasRouterTargets) continue;
            if (!pi.IsV6 && !test.Contains(source)) continue;
            if (mpi.FindTarget(source) is not null || mpi.Targets.Count >= ProbeInstance.MaxActiveTargets) continue;
            mpi.AddTarget(source, TargetKind.Host, now);
            Changed("target-added", m.Group, m, source.ToString());
            UpdateTargetState(m);
        }
    }

    /// <summary>A single target stopped answering while others still do: the target is at fault, not the
    /// interface. A router sits out (DEAD, back after about two minutes); a host target is dropped and a
    /// multicast probe looks for a replacement.</summary>
    private void TargetDied(InterfaceRuntime ifp, ProbeInstance pi, ProbeTarget target)
    {
        Log(MessageCatalog.TargetDead(target.Display, ifp.Name));
        Changed("target-dead", ifp.Group, ifp, target.Display);
        if (target.Kind != TargetKind.Host)
        {
            target.SetStatus(TargetStatus.Dead, Now);
            pi.ReactivateAfterLoss(Now);
        }
        else
        {
            pi.RemoveTarget(target);
            SendMulticast(ifp, pi, Now);
        }
        UpdateTargetState(ifp);
    }

    /// <summary>On group failure every host target list is flushed: if all targets died at once the
    /// members rediscover new ones by multicast; router lists are kept (a real outage keeps failing).</summary>
    private void FlushHostTargets(GroupRuntime group)
    {
        var flushed = false;
        foreach (var m in group.Members)
            foreach (var pi in m.Instances)
                foreach (var t in pi.Targets.Where(t => t.Kind == TargetKind.Host).ToList())
                {
                    pi.RemoveTarget(t);
                    flushed = true;
                }
        if (flushed)
        {
            Log(MessageCatalog.TargetsFlushed(group.Name));
            foreach (var m in group.Members) UpdateTargetState(m);
        }
    }

    /// <summary>Feeds one RTT sample (illumos 3.7), deferring a lone suspect one, then adapts the FDT.</summary>
    private void TakeRttSample(InterfaceRuntime ifp, ProbeInstance pi, ProbeTarget target, long sampleNs)
    {
        var group = ifp.Group;
        var interval = group.ProbeInterval;
        if (sampleNs < 0 || sampleNs > interval.Ticks * 100 * ProbeHistory.Capacity) return;
        if (ifp.State != PiState.Running || group.State == GroupState.Failed) return;
        if (target.Rtt.CrttAfter(sampleNs) > interval)
        {
            if (target.Rtt.DeferredNs is not { } deferred)
            {
                target.Rtt.DeferredNs = sampleNs;
                return;
            }
            target.Rtt.Add(deferred);
            target.Rtt.DeferredNs = null;
        }
        else
        {
            target.Rtt.DeferredNs = null;
        }
        target.Rtt.Add(sampleNs);
        // A transitive probe's round trip is mostly the responder's turn in this daemon (user space at both
        // ends, no kernel stamp), not the network's: it times its own probes but never moves the FDT, which
        // illumos adapts to slow targets.
        if (pi.IsLink) return;
        if (target.Rtt.Crtt > interval) RaiseFdt(ifp, pi, target);
        else MaybeLowerFdt(ifp, pi, target);
    }

    private void RaiseFdt(InterfaceRuntime ifp, ProbeInstance pi, ProbeTarget target)
    {
        var group = ifp.Group;
        var interval = group.ProbeInterval;
        var active = pi.ActiveTargets.ToList();
        var exception = active.Count >= 4 && active.Where(t => t != target).All(t => t.Rtt.Crtt <= interval / 2);
        if (exception)
        {
            if (target.Kind == TargetKind.Router) target.SetStatus(TargetStatus.Slow, Now);
            else
            {
                pi.RemoveTarget(target);
                SendMulticast(ifp, pi, Now);
            }
            return;
        }
        var requested = (int)group.Fdt.TotalMilliseconds;
        group.SetInterval(target.Rtt.Crtt * 2);
        group.LastFdtRaise = Now;
        group.Touch();
        if (!group.IsAnonymous)
            Log(MessageCatalog.FdtRaised(requested, pi.FamilyName, ifp.Name, group.Name, (int)group.Fdt.TotalMilliseconds));
        Changed("fdt", group, ifp, ((int)group.Fdt.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private void MaybeLowerFdt(InterfaceRuntime ifp, ProbeInstance pi, ProbeTarget target)
    {
        var group = ifp.Group;
        var interval = group.ProbeInterval;
        if (!group.FdtRaised || target.Rtt.Crtt >= interval / 4) return;
        if (group.LastFdtRaise is { } raised && Now - raised < TimeSpan.FromSeconds(60)) return;
        var allFast = group.Members.Where(m => m.Present && m.State == PiState.Running)
            .SelectMany(m => m.Instances.Where(p => p.CanProbe && !p.IsLink))
            .SelectMany(p => p.ActiveTargets)
            .All(t => t.Rtt.Crtt <= interval / 4);
        if (!allFast) return;
        var fdt = group.Fdt / 2 < group.ConfiguredFdt ? group.ConfiguredFdt : group.Fdt / 2;
        group.SetFdt(fdt);
        group.Touch();
        if (!group.IsAnonymous)
            Log(MessageCatalog.FdtImproved((int)fdt.TotalMilliseconds, pi.FamilyName, ifp.Name, group.Name));
        Changed("fdt", group, ifp, ((int)fdt.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
