using Ipmp.Core.Model;

namespace Ipmp.Core.Engine;

/// <summary>
/// Decides which member hosts each data address (its INBOUND interface). A pure function of the members'
/// activity and the current placement, so it can be tested on its own and re-run after any event:
/// <list type="number">
/// <item>An address whose home member is active lives there (this is failback; with FAILBACK=no the
/// repaired home is kept INACTIVE by the activation policy, so nothing moves back).</item>
/// <item>Otherwise it stays where it is if that member is active (no needless moves).</item>
/// <item>Otherwise it goes to the active member hosting the fewest addresses; a standby that was just
/// activated hosts none, so it takes over.</item>
/// <item>Floating addresses (not at their home) are then balanced so that no member hosts more than one
/// more than another (the Clearview binding rule).</item>
/// <item>With no active member at all (group failure) nothing moves: the addresses stay where they are.</item>
/// </list>
/// </summary>
public static class FailoverPlanner
{
    /// <param name="Name">Interface name.</param>
    /// <param name="Active">Has the ACTIVE flag.</param>
    /// <param name="Standby">Configured standby (preferred on ties, as "activate another" prefers it).</param>
    public sealed record Member(string Name, bool Active, bool Standby);

    public sealed record Address(IpPrefix Prefix, string? Home, string? Current);

    /// <param name="members">Members in preference order for ties (the planner is otherwise order-free).</param>
    /// <returns>For each address, the member that should host it (null: unbound, nowhere to go).</returns>
    /// <param name="failback">FAILBACK=yes: addresses go home, and floating addresses are balanced.
    /// With FAILBACK=no a working address never moves; only addresses on an inactive member do.</param>
    public static IReadOnlyDictionary<IpPrefix, string?> Plan(IReadOnlyList<Member> members, IReadOnlyList<Address> addresses,
        bool failback = true)
    {
        var active = members.Where(m => m.Active).ToList();
        var result = new Dictionary<IpPrefix, string?>();
        if (active.Count == 0)
        {
            foreach (var a in addresses) result[a.Prefix] = a.Current;
            return result;
        }

        var activeNames = active.Select(m => m.Name).ToHashSet();
        var load = active.ToDictionary(m => m.Name, _ => 0);
        var pending = new List<Address>();

        foreach (var a in addresses)
        {
            var atHome = a.Home is not null && activeNames.Contains(a.Home) ? a.Home : null;
            var stay = a.Current is not null && activeNames.Contains(a.Current) ? a.Current : null;
            var target = failback ? atHome ?? stay : stay ?? atHome;
            if (target is null)
            {
                pending.Add(a);
                continue;
            }
            result[a.Prefix] = target;
            load[target]++;
        }

        foreach (var a in pending)
        {
            var target = Emptiest(active, load);
            result[a.Prefix] = target;
            load[target]++;
        }

        if (failback) Balance(active, addresses, result, load);
        return result;
    }

    /// <summary>The least loaded active member; on a tie a standby, then the earliest. (Loops, not OrderBy:
    /// this runs on the failover path, where LINQ's ordering costs tens of microseconds a call.)</summary>
    private static string Emptiest(List<Member> active, Dictionary<string, int> load)
    {
        var best = active[0];
        var bestLoad = load[best.Name];
        for (var i = 1; i < active.Count; i++)
        {
            var m = active[i];
            var l = load[m.Name];
            if (l < bestLoad || (l == bestLoad && m.Standby && !best.Standby)) (best, bestLoad) = (m, l);
        }
        return best.Name;
    }

    /// <summary>Moves floating addresses from the fullest member to the emptiest while that narrows the gap.</summary>
    private static void Balance(List<Member> active, IReadOnlyList<Address> addresses,
        Dictionary<IpPrefix, string?> result, Dictionary<string, int> load)
    {
        var floating = addresses.Where(a => result[a.Prefix] != a.Home).ToList();
        for (var guard = 0; guard < addresses.Count; guard++)
        {
            var min = Emptiest(active, load);
            // The fullest member that hosts a floating address.
            Member? donor = null;
            foreach (var m in active)
                if ((donor is null || load[m.Name] > load[donor.Name]) && floating.Any(a => result[a.Prefix] == m.Name))
                    donor = m;
            if (donor is null || load[donor.Name] <= load[min] + 1) return;
            var moved = floating.Last(a => result[a.Prefix] == donor.Name);
            result[moved.Prefix] = min;
            load[donor.Name]--;
            load[min]++;
        }
    }
}
