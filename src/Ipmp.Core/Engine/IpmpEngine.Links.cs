using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    /// <summary>Flap damping: a link-only interface whose link came up 3 times within this window is not
    /// repaired until it stabilises.</summary>
    public static readonly TimeSpan FlapWindow = TimeSpan.FromSeconds(60);

    private HashSet<IpPrefix> KernelAddresses(string name)
    {
        if (!_kernelAddresses.TryGetValue(name, out var set)) _kernelAddresses[name] = set = [];
        return set;
    }

    private void OnSnapshot(NetworkSnapshot s)
    {
        foreach (var g in AllGroups) g.Dirty = true;
        var names = s.Links.Select(l => l.Name).ToHashSet();
        foreach (var gone in _links.Keys.Where(n => !names.Contains(n)).ToList()) OnLinkRemoved(gone);

        // Addresses first, so that a link that appears finds its addresses (test address, link-local).
        foreach (var set in _kernelAddresses.Values) set.Clear();
        foreach (var a in s.Addresses) KernelAddresses(a.Interface).Add(a.Address);
        foreach (var link in s.Links) OnLinkObserved(link);
        _synchronised = true;
        foreach (var ifp in _interfaces.Values.Where(i => i.Present)) RefreshTestAddresses(ifp);
        FinishRecall();
    }

    private void OnLinkObserved(LinkInfo link)
    {
        var previous = _links.GetValueOrDefault(link.Name);
        _links[link.Name] = link;
        MarkDirty(link.Name);
        if (!_interfaces.TryGetValue(link.Name, out var ifp))
        {
            if (DesiredGroup(link.Name, Config.FindInterface(link.Name)) is { } g) AddMember(link.Name, g, Config.FindInterface(link.Name));
            return;
        }
        if (Refused(link, ifp.Group))
        {
            // It is (or became) something a group cannot use, NOARP set say: it leaves; its data addresses move.
            RemoveMember(ifp);
            return;
        }
        if (!ifp.Present)
        {
            Attach(ifp, link);
            return;
        }
        if (previous is not null && previous.Index != link.Index)
        {
            // Re-plumbed: start over, as illumos rebuilds both instances.
            Detach(ifp);
            Attach(ifp, link);
            return;
        }
        var wasUp = ifp.LinkUp;
        var macChanged = previous is not null && !previous.Mac.Equals(link.Mac);
        ifp.Link = link;
        if (macChanged)
        {
            ifp.Group.Touch();
            OnMacChanged(ifp, previous!.Mac);
        }
        if (wasUp && !ifp.LinkUp) LinkWentDown(ifp);
        else if (!wasUp && ifp.LinkUp) LinkCameUp(ifp);
    }

    private void OnLinkRemoved(string name)
    {
        _links.Remove(name);
        KernelAddresses(name).Clear();
        MarkDirty(name);
        if (!_interfaces.TryGetValue(name, out var ifp)) return;
        if (ifp.Config is null && ifp.Group.IsAnonymous)
        {
            RemoveMember(ifp);
            return;
        }
        if (ifp.Present) Detach(ifp);
    }

    private void LinkWentDown(InterfaceRuntime ifp)
    {
        Log(MessageCatalog.LinkDown(ifp.Name));
        Changed("link-down", ifp.Group, ifp, "");
        // Old successes must not count towards a repair once the link is back.
        foreach (var pi in ifp.Instances)
        {
            if (pi.CanProbe) pi.History.Clear();
            pi.StopSchedule();
        }
        if (ifp.State == PiState.Offline) return;
        if (ifp.State == PiState.Running || (!ifp.Failed && ifp.Group.State != GroupState.Failed) || ifp.State == PiState.NoTargets)
            EvaluateFailure(ifp, linkDown: true);
    }

    private void LinkCameUp(InterfaceRuntime ifp)
    {
        Log(MessageCatalog.LinkUp(ifp.Name));
        Changed("link-up", ifp.Group, ifp, "");
        // The third link-up within a minute: the older of the previous two is less than a minute old.
        if (ifp.LinkUps[0] is { } older && Now - older < FlapWindow) ifp.FlapRecheckAt = older + FlapWindow;
        ifp.LinkUps[0] = ifp.LinkUps[1];
        ifp.LinkUps[1] = Now;
        if (ifp.State == PiState.Offline) return;
        StartProbing(ifp);
        CheckRepair(ifp);
    }

    /// <summary>Link-only repair is refused while the link is flapping (see <see cref="LinkCameUp"/>).</summary>
    private bool FlapAllowsRepair(InterfaceRuntime ifp)
    {
        if (ifp.FlapRecheckAt is { } until && Now < until)
        {
            if (!ifp.FlapLogged)
            {
                Log(MessageCatalog.LinkFlapping(ifp.Name));
                ifp.FlapLogged = true;
            }
            return false;
        }
        ifp.FlapLogged = false;
        ifp.FlapRecheckAt = null;
        return true;
    }
}
