using System.Net;
using Ipmp.Core.Engine;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Where data addresses go on failure, repair, standby use and FAILBACK=no.</summary>
public class FailoverTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    [Fact]
    public void Without_a_standby_the_address_goes_to_the_member_with_the_fewest_addresses()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24", "192.168.10.52/24"]),
            Lab.Nic("net2", 12, ["192.168.10.53/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.PullCable("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.Equal(["net1", "net2"], sim.Snapshot().Interfaces.Where(i => i.IsActive).Select(i => i.Name).Order());
    }

    [Fact]
    public void Standby_takes_over_and_goes_back_to_inactive_after_repair()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 3);
        Assert.Equal("is-----", Flags(sim.Interface("net2")));

        sim.Do(n => n.KillPort("net1"));
        sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Failed, Fdt * 2);
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        Assert.True(sim.Interface("net2").IsActive);
        Assert.Equal(["net0", "net2"], ActiveNames(sim));

        sim.Do(n => n.RepairPort("net1"));
        sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Ok, Fdt * 3);
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.Equal(["net0", "net1"], ActiveNames(sim));
        Assert.Equal("is-----", Flags(sim.Interface("net2")));
        Assert.Equal("net1 net0 (net2)", Describe(sim.Group("ipmp0"), sim));
    }

    [Fact]
    public void Failback_no_keeps_addresses_where_they_are_and_the_repaired_interface_inactive()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt, failback: false));
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.PullCable("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));

        sim.Do(n => n.PlugCable("net0"));
        sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, Fdt * 3);
        sim.RunFor(Fdt * 3);
        Assert.Equal("net2", sim.Holder("192.168.10.50"));          // did not move back
        Assert.False(sim.Interface("net0").IsActive);                // repaired but INACTIVE
        Assert.True((sim.Interface("net0").Flags & InterfaceFlags.Inactive) != 0);
        Assert.Equal(["net1", "net2"], ActiveNames(sim));

        // It is used again when an active member fails.
        sim.Do(n => n.PullCable("net1"));
        Assert.Equal(["net0", "net2"], ActiveNames(sim));
        Assert.NotNull(sim.Holder("192.168.10.51"));
        Assert.NotEqual("net1", sim.Holder("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.51"));
    }

    [Fact]
    public void Failback_no_with_the_group_short_of_active_members_uses_the_repaired_interface()
    {
        var config = Lab.Config(Fdt, false, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.PullCable("net0"));
        sim.Do(n => n.PlugCable("net0"));
        sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, Fdt * 3);
        Assert.True(sim.Interface("net0").IsActive);            // the group had only one active member
        Assert.Equal("net1", sim.Holder("192.168.10.50"));     // but nothing moved back
    }

    [Fact]
    public void Group_addresses_are_spread_over_active_members_and_rebalanced()
    {
        var config = Lab.Config(Fdt, true, true,
            [IpPrefix.Parse("192.168.10.60/24"), IpPrefix.Parse("192.168.10.61/24"), IpPrefix.Parse("192.168.10.62/24"),
             IpPrefix.Parse("192.168.10.63/24")],
            Lab.Nic("net0", 10, []),
            Lab.Nic("net1", 11, []));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 2);
        var holders = Enumerable.Range(60, 4).Select(i => sim.Holder($"192.168.10.{i}")).ToList();
        Assert.Equal(2, holders.Count(h => h == "net0"));
        Assert.Equal(2, holders.Count(h => h == "net1"));

        sim.Do(n => n.PullCable("net0"));
        Assert.All(Enumerable.Range(60, 4), i => Assert.Equal("net1", sim.Holder($"192.168.10.{i}")));

        sim.Do(n => n.PlugCable("net0"));
        sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, Fdt * 3);
        holders = Enumerable.Range(60, 4).Select(i => sim.Holder($"192.168.10.{i}")).ToList();
        Assert.Equal(2, holders.Count(h => h == "net0"));
        Assert.Equal(2, holders.Count(h => h == "net1"));
    }

    [Fact]
    public void Ipv6_data_address_fails_over_and_the_clients_neighbour_cache_follows()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24", "2001:db8::50/64"], v6: true),
            Lab.Nic("net1", 11, ["192.168.10.51/24"], v6: true));
        var sim = Lab.Start(config, n =>
        {
            Lab.Topology(n, "net0", "net1");
            n.AddRouter("router6", "fe80::1");
        });
        sim.RunFor(Fdt * 3);
        Assert.True(sim.Interface("net0").V6.TestAddress!.IsIPv6LinkLocal);
        Assert.Equal(TargetMode.Routes, sim.Interface("net0").V6.Mode);
        Assert.True(sim.ClientReaches("2001:db8::50"));
        var client = sim.Network.Host("client");
        Assert.Equal(sim.Network.Nic("net0").Mac, client.NeighbourCache[IPAddress.Parse("2001:db8::50")]);

        sim.Do(n => n.PullCable("net0"));
        Assert.Equal("net1", sim.Holder("2001:db8::50"));
        Assert.Equal(sim.Network.Nic("net1").Mac, client.NeighbourCache[IPAddress.Parse("2001:db8::50")]);
        Assert.True(sim.ClientReaches("2001:db8::50"));
    }

    [Fact]
    public void Moves_are_make_before_break_and_announced_before_the_break()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 2);
        var from = sim.Network.Journal.Count;
        sim.Do(n => n.PullCable("net0"));
        var cmds = sim.Network.Journal.Skip(from).Select(j => j.Command).ToList();
        var add = cmds.FindIndex(c => c is Commands.AddAddress { Interface: "net2" } a && a.Address.ToString() == "192.168.10.50/24");
        var remove = cmds.FindIndex(c => c is Commands.RemoveAddress { Interface: "net0" } r && r.Address.ToString() == "192.168.10.50/24");
        var announce = cmds.FindIndex(c => c is Commands.AnnounceAddress { Interface: "net2" } a && a.Address.ToString() == "192.168.10.50");
        // Add, then announce (the link learns the new MAC at once), then remove the old copy.
        Assert.True(add >= 0 && announce > add && remove > announce, string.Join("\n", cmds));
    }

    private static string[] ActiveNames(Simulation.Simulation sim) =>
        [.. sim.Snapshot().Interfaces.Where(i => i.IsActive).Select(i => i.Name).Order()];

    internal static string Flags(InterfaceStatus i) => new([
        (i.Flags & InterfaceFlags.Inactive) != 0 ? 'i' : '-',
        i.Type == InterfaceType.Standby ? 's' : '-',
        (i.Flags & InterfaceFlags.V4Multicast) != 0 ? 'm' : '-',
        (i.Flags & InterfaceFlags.V4Broadcast) != 0 ? 'b' : '-',
        (i.Flags & InterfaceFlags.V6Multicast) != 0 ? 'M' : '-',
        (i.Flags & InterfaceFlags.Down) != 0 ? 'd' : '-',
        (i.Flags & InterfaceFlags.HwAddrDup) != 0 ? 'h' : '-']);

    /// <summary>The INTERFACES column: active, then (inactive), then [others].</summary>
    internal static string Describe(GroupStatus g, Simulation.Simulation sim)
    {
        var all = g.Interfaces.Select(sim.Interface).ToList();
        var s = string.Join(' ', all.Where(i => i.IsActive).Select(i => i.Name));
        var inactive = all.Where(i => !i.IsActive && (i.Flags & InterfaceFlags.Inactive) != 0).Select(i => i.Name).ToList();
        var others = all.Where(i => !i.IsActive && (i.Flags & InterfaceFlags.Inactive) == 0).Select(i => i.Name).ToList();
        if (inactive.Count > 0) s += $" ({string.Join(' ', inactive)})";
        if (others.Count > 0) s += $" [{string.Join(' ', others)}]";
        return s;
    }
}
