using System.Net.NetworkInformation;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

/// <summary>Who may be a member of a named group: refused link kinds and media types, and unique MACs.</summary>
public sealed partial class IpmpEngine
{
    /// <summary>True when <paramref name="link"/> cannot be a member of <paramref name="group"/>
    /// (<see cref="MembershipRules"/>); logs the refusal once per reason. The group's media type is that of
    /// its oldest present member other than this link.</summary>
    private bool Refused(LinkInfo link, GroupRuntime group)
    {
        if (group.IsAnonymous) return false;
        var groupType = group.Members.LastOrDefault(m => m.Name != link.Name && m.Present && !_refused.ContainsKey(m.Name))
            ?.Link!.LinkType;
        var reason = MembershipRules.Refusal(link, groupType);
        if (reason is null)
        {
            _refused.Remove(link.Name);
            return false;
        }
        if (!_refused.TryGetValue(link.Name, out var logged) || logged != reason)
        {
            _refused[link.Name] = reason;
            Log(MessageCatalog.InterfaceRefused(link.Name, group.Name, reason));
            Changed("member-refused", group, null, $"{link.Name}: {reason}");
        }
        return true;
    }

    /// <summary>Refused links configured in <paramref name="group"/> that exist: they must not keep its data addresses.</summary>
    private IEnumerable<string> RefusedLinksOf(GroupRuntime group)
    {
        foreach (var name in _refused.Keys)
            if (_links.ContainsKey(name) && Config.FindInterface(name)?.Group == group.Name) yield return name;
    }

    /// <summary>
    /// A member of the same named group with MAC <paramref name="mac"/> (illumos mpd_tables.c,
    /// phyint_lookup_hwaddr). <paramref name="onlineOnly"/>: ignore offline members; otherwise ignore only
    /// those offline by the administrator (a member offlined as a duplicate still counts).
    /// </summary>
    private InterfaceRuntime? HwAddrTwin(InterfaceRuntime ifp, PhysicalAddress mac, bool onlineOnly)
    {
        if (ifp.Group.IsAnonymous || mac.GetAddressBytes().Length == 0) return null;
        foreach (var other in ifp.Group.Members)
        {
            if (other == ifp || !other.Present) continue;
            if (other.Offline && (onlineOnly || !other.HwAddrDup)) continue;
            if (other.Link!.Mac.Equals(mac)) return other;
        }
        return null;
    }

    /// <summary>
    /// The MAC of a member changed (illumos mpd_tables.c, phyint_link_notify): a member that was offline as a
    /// duplicate comes back if its address is unique now, or its former twin does; a member whose new MAC
    /// duplicates another's goes offline (Clearview).
    /// </summary>
    private void OnMacChanged(InterfaceRuntime ifp, PhysicalAddress oldMac)
    {
        var oldTwin = HwAddrTwin(ifp, oldMac, onlineOnly: false);
        var newTwin = HwAddrTwin(ifp, ifp.Link!.Mac, onlineOnly: false);
        if (ifp.HwAddrDup)
        {
            if (newTwin is null) UndoOffline(ifp);
        }
        else if (oldTwin is { HwAddrDup: true })
        {
            UndoOffline(oldTwin);
        }
        if (newTwin is not null && !ifp.HwAddrDup)
        {
            ifp.HwAddrDup = true;
            TakeOffline(ifp);
        }
    }

    /// <summary>A member stops blocking its duplicate (offline, removed, gone): the duplicate comes back
    /// online (illumos phyint_offline, phyint_delete).</summary>
    private void ReleaseTwin(InterfaceRuntime ifp, PhysicalAddress? mac)
    {
        if (ifp.HwAddrDup || mac is null) return;
        if (HwAddrTwin(ifp, mac, onlineOnly: false) is { HwAddrDup: true } twin) UndoOffline(twin);
    }

    /// <summary>Takes a member out of service (if_mpadm -d, or a duplicate MAC with minimum redundancy 0).</summary>
    private void TakeOffline(InterfaceRuntime ifp)
    {
        var group = ifp.Group;
        ifp.Offline = true;
        ifp.Inactive = false;
        ifp.State = PiState.Offline;
        StopProbing(ifp);
        foreach (var pi in ifp.Instances) pi.History.Clear();
        group.Touch();
        if (ifp.HwAddrDup) Log(MessageCatalog.HwAddrDuplicate(ifp.Name, group.Name));
        Changed("interface-offline", group, ifp, ifp.HwAddrDup ? "duplicate hardware address" : "");
        RefreshGroupState(group);
    }

    /// <summary>Brings an offline member back (if_mpadm -r, or a duplicate MAC that became unique; illumos
    /// mpd_tables.c, phyint_undo_offline): refused while its MAC still duplicates an online member's.</summary>
    private AdminResult UndoOffline(InterfaceRuntime ifp)
    {
        if (!ifp.Offline || ifp.State != PiState.Offline)
            return new AdminResult(IpmpError.InvalidArgument, $"interface {ifp.Name} is not offline");
        if (HwAddrTwin(ifp, ifp.Link!.Mac, onlineOnly: true) is not null)
        {
            ifp.HwAddrDup = true;
            return new AdminResult(IpmpError.HwAddrDuplicate, "interface has duplicate hardware address");
        }
        if (ifp.HwAddrDup)
        {
            Log(MessageCatalog.HwAddrUnique(ifp.Name, ifp.Group.Name));
            ifp.HwAddrDup = false;
        }
        ifp.Offline = false;
        Changed("interface-online", ifp.Group, ifp, "");
        ifp.TestAddressCheckAt = ifp.CanProbe ? null : Now + _options.TestAddressGrace;
        if (ifp.Failed)
        {
            ifp.State = PiState.Failed;
            StartProbing(ifp);
            // A NIC without probing has only its link to go by: nothing else would ever re-check it (illumos
            // does at its 20 s rescans), so check now. A probing NIC repairs by its probes as usual.
            CheckRepair(ifp);
            RefreshGroupState(ifp.Group);
            return AdminResult.Success;
        }
        TransitionToRunning(ifp, RunningReason.Online);
        if (!ifp.LinkUp) LinkWentDown(ifp);
        else StartProbing(ifp);
        return AdminResult.Success;
    }
}
