using Ipmp.Core.Engine;
using Ipmp.Core.Model;
using static Ipmp.Core.Engine.FailoverPlanner;

namespace Ipmp.Core.Tests.Units;

/// <summary>Where each data address goes, as a pure function of member activity and current placement.</summary>
public class FailoverPlannerTests
{
    private static IpPrefix P(int n) => IpPrefix.Parse($"192.168.10.{n}/24");

    private static Dictionary<string, int> Load(IReadOnlyDictionary<IpPrefix, string?> plan) =>
        plan.Values.Where(v => v is not null).GroupBy(v => v!).ToDictionary(g => g.Key, g => g.Count());

    [Fact]
    public void An_address_goes_home_when_its_home_member_is_active()
    {
        var plan = Plan([new("net0", true, false), new("net1", true, false)],
            [new Address(P(50), "net0", "net1")]);
        Assert.Equal("net0", plan[P(50)]);
    }

    [Fact]
    public void With_failback_no_a_working_address_stays_where_it_is()
    {
        var plan = Plan([new("net0", true, false), new("net1", true, false)],
            [new Address(P(50), "net0", "net1"), new Address(P(51), "net0", "net1"), new Address(P(52), "net0", "net1")],
            failback: false);
        Assert.All(plan.Values, v => Assert.Equal("net1", v));     // no move back, and no balancing either
    }

    [Fact]
    public void An_address_on_an_inactive_member_goes_to_the_member_with_the_fewest()
    {
        var plan = Plan([new("net0", false, false), new("net1", true, false), new("net2", true, false)],
            [new Address(P(50), "net0", "net0"), new Address(P(51), "net1", "net1"), new Address(P(52), "net1", "net1")]);
        Assert.Equal("net2", plan[P(50)]);
        Assert.Equal("net1", plan[P(51)]);
        Assert.Equal("net1", plan[P(52)]);
    }

    [Fact]
    public void On_a_tie_a_standby_is_preferred()
    {
        var plan = Plan([new("net0", false, false), new("net1", true, false), new("net2", true, true)],
            [new Address(P(50), "net0", "net0")]);
        Assert.Equal("net2", plan[P(50)]);
        // Even when the standby comes first or last in preference order.
        plan = Plan([new("net2", true, true), new("net1", true, false), new("net0", false, false)],
            [new Address(P(50), "net0", "net0")]);
        Assert.Equal("net2", plan[P(50)]);
    }

    [Fact]
    public void Floating_addresses_are_balanced_to_within_one()
    {
        var addresses = Enumerable.Range(60, 5).Select(i => new Address(P(i), null, "net0")).ToList();
        var plan = Plan([new("net0", true, false), new("net1", true, false)], addresses);
        var load = Load(plan);
        Assert.Equal(5, load.Values.Sum());
        Assert.InRange(load["net0"] - load["net1"], -1, 1);
    }

    [Fact]
    public void Balancing_never_moves_an_address_away_from_its_home()
    {
        var addresses = Enumerable.Range(50, 4).Select(i => new Address(P(i), "net0", "net0")).ToList();
        var plan = Plan([new("net0", true, false), new("net1", true, false)], addresses);
        Assert.All(plan.Values, v => Assert.Equal("net0", v));
    }

    [Fact]
    public void With_no_active_member_nothing_moves()
    {
        var plan = Plan([new("net0", false, false), new("net1", false, true)],
            [new Address(P(50), "net0", "net0"), new Address(P(51), "net1", "net1"), new Address(P(60), null, null)]);
        Assert.Equal("net0", plan[P(50)]);
        Assert.Equal("net1", plan[P(51)]);
        Assert.Null(plan[P(60)]);
    }

    [Fact]
    public void A_new_address_is_placed_on_the_emptiest_active_member()
    {
        var plan = Plan([new("net0", true, false), new("net1", true, false)],
            [new Address(P(50), "net0", "net0"), new Address(P(51), "net0", "net0"), new Address(P(60), null, null)]);
        Assert.Equal("net1", plan[P(60)]);
    }
}
