using System.Net;
using Ipmp.Core.Commands;
using Ipmp.Core.Configuration;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>
/// TRANSITIVE_PROBING=yes and no test address anywhere: net0 holds the data address and probes the router
/// with ICMP from it; net1 (active, no address of its own) and net2 (standby) exchange link-layer probes with
/// net0. A dead switch port (carrier up) on each of them is found within FDT and its repair within 2 × FDT.
/// </summary>
public class TransitiveProbingTests
{
    private const string Data = "192.168.10.50";

    public static IpmpConfig NoTestAddresses(TimeSpan fdt, bool transitive = true)
    {
        var c = Lab.Config(fdt, true, true, default,
            Lab.Nic("net0", 0, [Data + "/24"]),
            Lab.Nic("net1", 0, []),
            Lab.Nic("net2", 0, [], standby: true));
        return c with { Settings = c.Settings with { TransitiveProbing = transitive } };
    }

    public static TheoryData<int, int> FdtsAndSeeds()
    {
        var d = new TheoryData<int, int>();
        foreach (var fdt in new[] { 100, 1000, 10000 })
            foreach (var seed in new[] { 1, 2, 3 })
                d.Add(fdt, seed);
        return d;
    }

    private static Simulation.Simulation Started(TimeSpan fdt, int seed)
    {
        var sim = Lab.Start(NoTestAddresses(fdt), seed: seed);
        sim.RunFor(TimeSpan.FromSeconds(1) + fdt * 3);
        Assert.True(sim.Snapshot().Interfaces.All(i => i.Probe == ProbeState.Ok && i.State == InterfaceState.Ok), sim.Dump());
        return sim;
    }

    /// <summary>No address beyond the data address (and link-locals) is ever on a NIC; the client's
    /// neighbour entry for the data address, when it has one, is the MAC of the NIC holding it.</summary>
    private static void AssertNoExtraAddressAndRightNeighbour(Simulation.Simulation sim)
    {
        foreach (var nic in sim.Network.Nics)
            Assert.All(sim.Network.AddressesOf(nic.Name), a =>
                Assert.True(a.Address.IsIPv6LinkLocal || a.Address.ToString() == Data, $"{a} on {nic.Name}"));
        var client = sim.Network.Host("client");
        if (client.NeighbourCache.TryGetValue(IPAddress.Parse(Data), out var mac))
            Assert.Equal(sim.Network.Nic(sim.Holder(Data)!).Mac, mac);
    }

    [Theory, MemberData(nameof(FdtsAndSeeds))]
    public void Dead_port_on_a_standby_is_found_by_link_layer_probes(int fdtMs, int seed) =>
        DeadPortOnTransitiveMember("net2", TimeSpan.FromMilliseconds(fdtMs), seed);

    [Theory, MemberData(nameof(FdtsAndSeeds))]
    public void Dead_port_on_an_active_member_without_a_data_address_is_found_by_link_layer_probes(int fdtMs, int seed) =>
        DeadPortOnTransitiveMember("net1", TimeSpan.FromMilliseconds(fdtMs), seed);

    private static void DeadPortOnTransitiveMember(string nic, TimeSpan fdt, int seed)
    {
        var sim = Started(fdt, seed);
        Assert.Equal(TargetMode.Transitive, sim.Engine.FindInterface(nic)!.Transitive.Mode);
        sim.AfterStep = () => AssertNoExtraAddressAndRightNeighbour(sim);

        sim.Do(n => n.KillPort(nic));
        var detected = sim.RunUntil(() => sim.StateOf(nic) == InterfaceState.Failed, fdt * 2);
        Assert.True(detected is not null && detected <= fdt, $"detection took {detected}, FDT {fdt}\n{sim.Dump()}");
        Assert.Equal(LinkState.Up, sim.Interface(nic).Link);
        Assert.Equal(ProbeState.Failed, sim.Interface(nic).Probe);
        Assert.Equal("net0", sim.Holder(Data));
        Assert.Equal(GroupState.Degraded, sim.Group(Lab.Group).State);
        Assert.Contains(sim.Log, l => l.Message.Text == $"IP interface failure detected on {nic} of group ipmp0");

        sim.Do(n => n.RepairPort(nic));
        var repaired = sim.RunUntil(() => sim.StateOf(nic) == InterfaceState.Ok, fdt * 3);
        Assert.True(repaired is not null && repaired <= fdt * 2, $"repair took {repaired}, 2 x FDT {fdt * 2}\n{sim.Dump()}");
        Assert.Equal("net0", sim.Holder(Data));
        Assert.True(sim.ClientReaches(Data));
    }

    [Theory, MemberData(nameof(FdtsAndSeeds))]
    public void Dead_port_on_the_member_that_probes_with_icmp_hands_the_role_over(int fdtMs, int seed)
    {
        var fdt = TimeSpan.FromMilliseconds(fdtMs);
        var sim = Started(fdt, seed);
        var net0 = sim.Engine.FindInterface("net0")!;
        Assert.True(net0.V4.FromDataAddress);
        Assert.Equal(IPAddress.Parse(Data), net0.V4.TestAddress!.Value.Address);
        sim.AfterStep = () => AssertNoExtraAddressAndRightNeighbour(sim);

        sim.Do(n => n.KillPort("net0"));
        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, fdt * 2);
        Assert.True(detected is not null && detected <= fdt, $"detection took {detected}, FDT {fdt}\n{sim.Dump()}");
        // The standby takes the address, and with it the ICMP probing; net0 is now checked transitively.
        Assert.Equal("net2", sim.Holder(Data));
        Assert.True(sim.ClientReaches(Data));
        Assert.True(sim.Engine.FindInterface("net2")!.V4.FromDataAddress);
        Assert.True(net0.Transitive.CanProbe);
        Assert.NotEqual(GroupState.Failed, sim.Group(Lab.Group).State);
        // The new prober's answers confirm the hand-over: a while later everyone else is still fine.
        sim.RunFor(fdt * 2);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net2"));
        Assert.False(net0.Group.UnconfirmedHandover);

        sim.Do(n => n.RepairPort("net0"));
        var repaired = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, fdt * 3);
        Assert.True(repaired is not null && repaired <= fdt * 2, $"repair took {repaired}, 2 x FDT {fdt * 2}\n{sim.Dump()}");
        Assert.Equal("net0", sim.Holder(Data));
        Assert.True(net0.V4.FromDataAddress);
        Assert.False(sim.Engine.FindInterface("net2")!.V4.CanProbe);
    }

    [Fact]
    public void A_dead_switch_is_a_group_failure_after_at_most_one_hand_over_and_is_repaired()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Started(fdt, 1);
        var adds = sim.Network.Journal.Count(j => j.Command is AddAddress);
        sim.Do(n => { foreach (var nic in n.Nics) n.KillPort(nic.Name); });
        var failed = sim.RunUntil(() => sim.Group(Lab.Group).State == GroupState.Failed, fdt * 4);
        Assert.True(failed is not null && failed <= fdt * 2 + fdt / 2, $"group failure took {failed}\n{sim.Dump()}");
        Assert.True(sim.Network.Journal.Count(j => j.Command is AddAddress) - adds <= 1, "the address moved at most once");
        Assert.Contains(sim.Log, l => l.Message.Text == "All IP interfaces in group ipmp0 are now unusable");

        sim.Do(n => { foreach (var nic in n.Nics) n.RepairPort(nic.Name); });
        var repaired = sim.RunUntil(() => sim.Snapshot().Interfaces.All(i => i.State == InterfaceState.Ok), fdt * 4);
        Assert.NotNull(repaired);
        Assert.Equal("net0", sim.Holder(Data));
    }

    [Fact]
    public void Targets_gone_while_ports_work_is_a_group_failure_and_nothing_moves()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Started(fdt, 2);
        var moves = sim.Network.Journal.Count(j => j.Command is AddAddress);
        sim.Do(n => n.Host("router").Up = false);
        var failed = sim.RunUntil(() => sim.Group(Lab.Group).State == GroupState.Failed, fdt * 3);
        Assert.NotNull(failed);
        Assert.Equal(moves, sim.Network.Journal.Count(j => j.Command is AddAddress));
        Assert.Equal("net0", sim.Holder(Data));
        Assert.DoesNotContain(sim.Changes, c => c.Kind == "probe-handover");

        sim.Do(n => n.Host("router").Up = true);
        Assert.NotNull(sim.RunUntil(() => sim.Group(Lab.Group).State == GroupState.Ok, fdt * 4));
    }

    [Fact]
    public void Off_by_default_nothing_is_probed_without_test_addresses()
    {
        var sim = Lab.Start(NoTestAddresses(TimeSpan.FromSeconds(1), transitive: false));
        sim.RunFor(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sim.Network.Journal, j => j.Command is SendTransitiveProbe or SendProbe);
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(ProbeState.Disabled, i.Probe));
    }

    [Fact]
    public void A_group_may_mix_members_with_and_without_test_addresses()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var c = Lab.Config(fdt, true, true, default,
            Lab.Nic("net0", 10, [Data + "/24"]),
            Lab.Nic("net1", 0, [], standby: true));
        var sim = Lab.Start(c with { Settings = c.Settings with { TransitiveProbing = true } });
        sim.RunFor(TimeSpan.FromSeconds(5));
        var net0 = sim.Engine.FindInterface("net0")!;
        Assert.False(net0.V4.FromDataAddress);              // its test address, as without the key
        Assert.Equal("192.168.10.10", net0.V4.TestAddress!.Value.Address.ToString());
        Assert.Equal("<net0>", Assert.Single(sim.Engine.FindInterface("net1")!.Transitive.Targets).Display);

        sim.Do(n => n.KillPort("net1"));
        var detected = sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Failed, fdt * 2);
        Assert.True(detected is not null && detected <= fdt, $"{detected}\n{sim.Dump()}");
    }
}

/// <summary>TRANSITIVE_PROBING turned on and off by a reload (SIGHUP): roles and responders follow.</summary>
public class TransitiveProbingReloadTests
{
    [Fact]
    public void A_reload_turns_transitive_probing_on_and_off()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var off = TransitiveProbingTests.NoTestAddresses(fdt, transitive: false);
        var on = TransitiveProbingTests.NoTestAddresses(fdt, transitive: true);
        var sim = Lab.Start(off);
        sim.RunFor(TimeSpan.FromSeconds(3));
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(ProbeState.Disabled, i.Probe));

        sim.Engine.ApplyConfig(on);
        sim.RunFor(TimeSpan.FromSeconds(3));
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(ProbeState.Ok, i.Probe));
        Assert.Equal(3, sim.Network.Journal.Count(j => j.Command is ListenTransitive { On: true }));
        sim.Do(n => n.KillPort("net2"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net2") == InterfaceState.Failed, fdt * 2));
        sim.Do(n => n.RepairPort("net2"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net2") == InterfaceState.Ok, fdt * 3));

        sim.Engine.ApplyConfig(off);
        var sent = sim.Network.Journal.Count;
        sim.RunFor(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(sim.Network.Journal.Skip(sent), j => j.Command is SendTransitiveProbe or SendProbe);
        Assert.Equal(3, sim.Network.Journal.Count(j => j.Command is ListenTransitive { On: false }));
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(ProbeState.Disabled, i.Probe));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
    }
}

/// <summary>Slow transitive replies (a busy daemon answering itself) never raise the FDT; ICMP ones still do.</summary>
public class TransitiveRttTests
{
    [Fact]
    public void Slow_link_layer_replies_do_not_raise_the_fdt()
    {
        var fdt = TimeSpan.FromMilliseconds(100);
        var sim = Lab.Start(TransitiveProbingTests.NoTestAddresses(fdt));
        sim.Network.TransitiveRtt = TimeSpan.FromMilliseconds(40);   // beyond the 14 ms probe interval
        sim.RunFor(TimeSpan.FromSeconds(5));
        Assert.Equal(fdt, sim.Engine.Groups[0].Fdt);
        Assert.DoesNotContain(sim.Log, l => l.Message.Text.StartsWith("Cannot meet requested failure detection time", StringComparison.Ordinal));
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));
        Assert.True(sim.Engine.FindInterface("net2")!.Transitive.Targets[0].Rtt.Crtt > TimeSpan.FromMilliseconds(14));
    }
}

/// <summary>While the targets are gone every member fails, and link-layer answers alone repair nobody: they
/// prove a member's port, not that anything answers over IP. Nothing moves until an ICMP answer comes back.</summary>
public class TransitiveTargetsGoneTests
{
    [Fact]
    public void A_long_target_outage_keeps_the_group_failed_and_the_address_still()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Lab.Start(TransitiveProbingTests.NoTestAddresses(fdt), seed: 4);
        sim.RunFor(TimeSpan.FromSeconds(5));
        var adds = sim.Network.Journal.Count(j => j.Command is AddAddress);
        sim.Do(n => n.Host("router").Up = false);
        Assert.NotNull(sim.RunUntil(() => sim.Group(Lab.Group).State == GroupState.Failed, fdt * 3));
        sim.AfterStep = () => Assert.Equal(GroupState.Failed, sim.Group(Lab.Group).State);
        sim.RunFor(TimeSpan.FromSeconds(30));
        sim.AfterStep = null;
        Assert.Equal(adds, sim.Network.Journal.Count(j => j.Command is AddAddress));
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Failed, i.State));

        sim.Do(n => n.Host("router").Up = true);
        Assert.NotNull(sim.RunUntil(() => sim.Snapshot().Interfaces.All(i => i.State == InterfaceState.Ok), fdt * 4));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal(adds, sim.Network.Journal.Count(j => j.Command is AddAddress));
    }
}

/// <summary>A member that leaves and comes back (hot-unplug) answers transitive probes again.</summary>
public class TransitiveReplugTests
{
    [Fact]
    public void The_prober_unplugged_and_plugged_back_answers_its_peers_again()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Lab.Start(TransitiveProbingTests.NoTestAddresses(fdt));
        sim.RunFor(TimeSpan.FromSeconds(3));
        sim.Do(n => n.Unplug("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.Holder("192.168.10.50") == "net2", fdt));
        Assert.Contains(sim.Network.Journal, j => j.Command is ListenTransitive { Interface: "net0", On: false });

        sim.Do(n => n.Plug("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.Holder("192.168.10.50") == "net0", fdt * 3));
        sim.RunFor(fdt * 5);
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));
        Assert.Equal("<net0>", Assert.Single(sim.Engine.FindInterface("net1")!.Transitive.Targets).Display);
        Assert.True(sim.Engine.FindInterface("net1")!.Transitive.History.LastAckedStart() > sim.Now - fdt);
    }
}
