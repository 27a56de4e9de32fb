using Ipmp.Core.Commands;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    private void OnAddressObserved(AddressInfo a)
    {
        KernelAddresses(a.Interface).Add(a.Address);
        MarkDirty(a.Interface);
        if (_interfaces.TryGetValue(a.Interface, out var ifp) && ifp.Present) RefreshTestAddresses(ifp);
    }

    private void OnAddressRemoved(string ifName, IpPrefix address)
    {
        KernelAddresses(ifName).Remove(address);
        MarkDirty(ifName);
        if (_interfaces.TryGetValue(ifName, out var ifp) && ifp.Present) RefreshTestAddresses(ifp);
    }

    private void AddKernelAddress(string ifName, IpPrefix address, AddressRole role)
    {
        // Optimistic: the kernel's confirmation arrives later as an event and changes nothing.
        KernelAddresses(ifName).Add(address);
        Emit(new AddAddress(ifName, address, role));
    }

    private void RemoveKernelAddress(string ifName, IpPrefix address)
    {
        KernelAddresses(ifName).Remove(address);
        Emit(new RemoveAddress(ifName, address));
    }

    /// <summary>
    /// After every event: keep active counts at capacity, pick nominees, place data addresses and make the
    /// kernel match. Moves are make-before-break: add on the new member, remove from the old, announce.
    /// </summary>
    private void Reconcile()
    {
        // Only groups where something changed: a probe answered without changing any state costs nothing here.
        foreach (var group in _groups)
        {
            if (!group.Dirty) continue;
            EnforceCapacity(group);
            RefreshGroupState(group);
            RefreshNominees(group);
            if (_synchronised) PlaceAddresses(group);
            RefreshProbeRoles(group);
            group.Dirty = false;
        }
        if (_anonymous.Dirty)
        {
            RefreshNominees(_anonymous);
            _anonymous.Dirty = false;
        }
    }

    /// <summary>A kernel change on <paramref name="ifName"/>: its group must be looked at again (an
    /// address deleted behind our back, a link flag). Changes on other interfaces concern no group.</summary>
    private void MarkDirty(string ifName)
    {
        if (_interfaces.TryGetValue(ifName, out var ifp)) ifp.Group.Dirty = true;
        else foreach (var g in _groups) g.Dirty = true;   // may hold a data address of ours
    }

    private void RefreshNominees(GroupRuntime group)
    {
        if (group.IsAnonymous)
        {
            group.V4Nominee = group.V6Nominee = null;
            return;
        }
        // The nomination sticks until its holder stops being active, then moves to the head of the list.
        if (group.V4Nominee is not { Active: true }) group.V4Nominee = group.Members.FirstOrDefault(m => m.Active);
        if (group.V6Nominee is not { Active: true }) group.V6Nominee = group.Members.FirstOrDefault(m => m.Active);
    }

    private void PlaceAddresses(GroupRuntime group)
    {
        // In configuration order, ties in the members' own order: keys made unique by the position, so the
        // (unstable) array sort orders exactly as a stable OrderBy would, without LINQ on the failover path.
        var count = group.Members.Count;
        var byOrder = group.Members.ToArray();
        var keys = new long[count];
        for (var i = 0; i < count; i++) keys[i] = ((long)ConfigOrder(byOrder[i]) << 32) | (uint)i;
        Array.Sort(keys, byOrder);
        var members = new List<FailoverPlanner.Member>(count);
        foreach (var m in byOrder) members.Add(new FailoverPlanner.Member(m.Name, m.Active, m.Standby));
        // In the members' own order (adoption's last resort and the removals follow it).
        var memberNames = new HashSet<string>(count);
        foreach (var m in group.Members)
            if (m.Present) memberNames.Add(m.Name);
        // Links configured in this group but refused as members (MembershipRules) never keep a data address.
        var cleanUp = new List<string>(memberNames);
        cleanUp.AddRange(RefusedLinksOf(group));

        // Adoption: an address we have not placed yet but the kernel already has (a restart, even after
        // kill -9 in the middle of a move) stays where it is; duplicates are cleaned up below.
        foreach (var a in group.Addresses.Where(a => a.BoundTo is null))
        {
            var holders = memberNames.Where(n => KernelAddresses(n).Contains(a.Prefix)).ToList();
            if (holders.Count == 0) continue;
            a.BoundTo = holders.FirstOrDefault(h => h == a.Home && _interfaces[h].Active)
                ?? holders.FirstOrDefault(h => _interfaces[h].Active)
                ?? holders[0];
        }

        var plan = FailoverPlanner.Plan(members,
            group.Addresses.Select(a => new FailoverPlanner.Address(a.Prefix, a.Home,
                a.BoundTo is { } b && memberNames.Contains(b) ? b : null)).ToList(),
            Settings.Failback);

        var outboundChanged = false;
        _missingMoves.Clear();
        foreach (var a in group.Addresses)
        {
            var target = plan[a.Prefix];
            var old = a.BoundTo;
            // Never placed, and its home is configured but not there: the Solaris "missing interface" case.
            if (old is null && a.Home is { } missing && missing != target &&
                _interfaces.TryGetValue(missing, out var missingIf) && !missingIf.Present)
                _missingMoves.Add((missing, a.Prefix.IsV6, target));
            if (target is null)
            {
                // Nowhere to go (group failure or nothing present): stay put.
                a.Bound = false;
                continue;
            }
            var needAdd = !KernelAddresses(target).Contains(a.Prefix);
            if (needAdd) AddKernelAddress(target, a.Prefix, AddressRole.Data);
            a.BoundTo = target;
            // Bound again after a time with no active member (a group failure): the member that hosted it
            // all along becomes active, and as in Clearview's rebinding the address is announced again —
            // announcements made while that member's path was dead were lost.
            var targetActive = _interfaces.GetValueOrDefault(target)?.Active == true;
            var rebound = targetActive && !a.Bound;
            a.Bound = targetActive;
            var placed = needAdd || old != target;
            // Told to the link as soon as it is there: the removal of the old copy (the break of make before
            // break) need not go out in front of the announcement.
            if (placed || rebound) Emit(new AnnounceAddress(target, a.Prefix.Address));
            // Break: remove every other copy within the group.
            foreach (var n in cleanUp)
                if (n != target && KernelAddresses(n).Contains(a.Prefix)) RemoveKernelAddress(n, a.Prefix);
            if (!placed) continue;
            outboundChanged = true;
            if (old is not null && old != target)
            {
                Counters.AddressMoves++;
                Log(target == a.Home
                    ? MessageCatalog.AddressRestored(a.Prefix.ToString(), target)
                    : MessageCatalog.AddressMoved(a.Prefix.ToString(), old, target));
                Changed("address-moved", group, _interfaces.GetValueOrDefault(target), $"{a.Prefix} {old} -> {target}");
            }
            else if (a.Home is { } home && home != target && _interfaces.GetValueOrDefault(home) is { Present: false })
            {
                Changed("address-moved", group, _interfaces.GetValueOrDefault(target), $"{a.Prefix} (missing {home}) -> {target}");
            }
        }
        ReportMissingInterfaces();

        var active = group.Members.Where(m => m.Active).Select(m => m.Name).ToList();
        if (outboundChanged || !active.SequenceEqual(group.LastOutbound))
        {
            group.LastOutbound = active;
            Emit(new SetOutboundMembers(group.Name, [.. active]));
        }
    }

    /// <summary>Logs, once per interface, family and outcome, where the data addresses of configured but
    /// missing interfaces went (the Solaris boot message, per family).</summary>
    private void ReportMissingInterfaces()
    {
        if (_missingMoves.Count == 0) return;
        foreach (var v6 in new[] { false, true })
        {
            var moves = new List<(string Interface, string? MovedTo)>();
            foreach (var g in _missingMoves.Where(m => m.V6 == v6).GroupBy(m => m.Home, StringComparer.Ordinal))
            {
                var targets = g.Select(m => m.Target).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
                var outcome = targets.Count == 0 ? null : string.Join(", ", targets);
                var key = (g.Key, v6);
                if (_missingReported.TryGetValue(key, out var reported) && reported == (outcome ?? "")) continue;
                _missingReported[key] = outcome ?? "";
                moves.Add((g.Key, outcome));
            }
            if (moves.Count > 0) Log(MessageCatalog.InterfacesMissing(v6, moves));
        }
        _missingMoves.Clear();
    }
}
