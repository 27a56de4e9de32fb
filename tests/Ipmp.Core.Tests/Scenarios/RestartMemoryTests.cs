using System.Net;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>
/// Memory across a restart (kill -9 and start): FAILED, OFFLINE and INACTIVE survive through
/// <see cref="IpmpEngine.Remember"/> / <see cref="IpmpEngine.Restore"/>, so a restart moves no address onto a
/// dead member and shuffles nothing; memory that no longer fits the configuration or the kernel is ignored.
/// </summary>
public class RestartMemoryTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan QuietPeriod = new EngineOptions().QuietPeriod;

    /// <summary>net1's switch port dies; once it is failed by probes and .51 is on the standby, returns.</summary>
    private static Simulation.Simulation DeadPortOnNet1(bool failback = true)
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt, failback));
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.KillPort("net1"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Failed, Fdt * 2));
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        return sim;
    }

    /// <summary>Fails the test at the first step where .51 is on net1 or net1 is active.</summary>
    private static void NeverOnNet1(Simulation.Simulation sim) => sim.AfterStep = () =>
    {
        if (sim.Network.AllHolders(IPAddress.Parse("192.168.10.51")).Contains("net1") || sim.Interface("net1").IsActive)
            Assert.Fail($"at {sim.Now}: .51 on {string.Join(",", sim.Network.AllHolders(IPAddress.Parse("192.168.10.51")))}, net1 {sim.Interface("net1")}");
    };

    /// <summary>Data-address commands given since the journal had <paramref name="since"/> entries.</summary>
    private static List<NetworkCommand> DataMovesSince(Simulation.Simulation sim, int since) =>
        sim.Network.Journal.Skip(since).Select(j => j.Command)
            .Where(c => c is AddAddress { Role: AddressRole.Data } or RemoveAddress).ToList();

    [Fact]
    public void Remember_lists_every_member_with_its_index_and_why_it_failed()
    {
        var sim = DeadPortOnNet1();
        sim.Do(n => n.PullCable("net0"));
        var memory = sim.Engine.Remember();
        Assert.Equal(["net0", "net1", "net2"], memory.Interfaces.Select(i => i.Name));
        Assert.Equal(new RememberedInterface("net0", "ipmp0", sim.Network.Nic("net0").Index, FailureCause.Link, false, false), memory.Interfaces[0]);
        Assert.Equal(new RememberedInterface("net1", "ipmp0", sim.Network.Nic("net1").Index, FailureCause.Probe, false, false), memory.Interfaces[1]);
        Assert.Equal(new RememberedInterface("net2", "ipmp0", sim.Network.Nic("net2").Index, null, false, false), memory.Interfaces[2]);
        Assert.Equal(memory, sim.Engine.Remember());   // equality by content
    }

    [Fact]
    public void Memory_version_moves_on_state_changes_only()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 3);
        var version = sim.Engine.MemoryVersion;
        sim.RunFor(Fdt * 5);   // probes answered, nothing changes
        Assert.Equal(version, sim.Engine.MemoryVersion);
        sim.Do(n => n.PullCable("net0"));
        Assert.NotEqual(version, sim.Engine.MemoryVersion);
    }

    [Fact]
    public void Without_memory_a_restart_puts_the_address_back_on_the_dead_member()
    {
        // What this memory is for: the engine alone adopts placement but not failures.
        var sim = DeadPortOnNet1();
        sim.Restart(Lab.ThreeNics(Fdt), remembered: null);
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
    }

    [Fact]
    public void A_member_failed_before_the_restart_stays_failed_through_the_quiet_period_and_repairs_after_ten_answers()
    {
        var sim = DeadPortOnNet1();
        var memory = sim.Engine.Remember();
        var restartedAt = sim.Network.Journal.Count;
        sim.Restart(Lab.ThreeNics(Fdt), memory);
        NeverOnNet1(sim);
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net1"));
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        Assert.Equal(["net0", "net2"], sim.Snapshot().Interfaces.Where(i => i.IsActive).Select(i => i.Name).Order());
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.StateRestored && l.Message.Text.Contains("net1 failed (probe failure)"));

        // The quiet period and then some: still failed, .51 never came back to the dead port.
        sim.RunFor(QuietPeriod + Fdt * 5);
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net1"));
        Assert.Equal(ProbeState.Failed, sim.Interface("net1").Probe);
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        Assert.DoesNotContain(DataMovesSince(sim, restartedAt), c => c is AddAddress { Interface: "net1" });

        // Repaired by the usual rule: ten consecutive answered probes.
        sim.AfterStep = null;
        sim.RecordProbes = true;
        sim.Do(n => n.RepairPort("net1"));
        var repaired = sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Ok, Fdt * 3);
        Assert.NotNull(repaired);
        Assert.Equal(IpmpEngine.ProbeSuccessesToRepair, sim.Probes.Count(p => p.Interface == "net1" && p.State == ProbeEventState.Acked));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.False(sim.Interface("net2").IsActive);
    }

    [Fact]
    public void A_probing_member_failed_by_link_whose_cable_came_back_during_the_restart_waits_for_ten_answers()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.PullCable("net1"));
        var memory = sim.Engine.Remember();
        Assert.Equal(FailureCause.Link, memory.Interfaces.Single(i => i.Name == "net1").Failed);
        sim.Network.PlugCable("net1");   // while no daemon runs
        sim.Restart(Lab.ThreeNics(Fdt), memory);
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net1"));
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        var repaired = sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Ok, Fdt * 3);
        Assert.NotNull(repaired);
        Assert.True(repaired >= Fdt / GroupRuntime.ProbesPerFdt * (IpmpEngine.ProbeSuccessesToRepair - 2), $"repaired after {repaired}");
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
    }

    [Fact]
    public void A_link_only_member_remembered_failed_repairs_on_carrier_as_usual()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 0, ["192.168.10.50/24"]),
            Lab.Nic("net1", 0, ["192.168.10.51/24"]),
            Lab.Nic("net2", 0, [], standby: true));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt);
        sim.Do(n => n.PullCable("net0"));
        sim.Do(n => n.PullCable("net1"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));

        // net0's cable stays out, net1's is put back while no daemon runs.
        var memory = sim.Engine.Remember();
        sim.Network.PlugCable("net1");
        var logged = sim.Log.Count;
        sim.Restart(config, memory);
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));     // carrier up: repaired at once
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        // Not detected again: it was failed all along.
        Assert.DoesNotContain(sim.Log.Skip(logged), l => l.Message.Id == MessageId.InterfaceFailure);

        sim.Do(n => n.PlugCable("net0"));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
    }

    [Fact]
    public void An_offlined_member_stays_offline_across_a_restart_until_online()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 3);
        Assert.True(sim.Engine.Offline("net0").Ok);
        sim.Drain();
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        var memory = sim.Engine.Remember();

        var restartedAt = sim.Network.Journal.Count;

        sim.Restart(Lab.ThreeNics(Fdt), memory);
        Assert.Equal(InterfaceState.Offline, sim.StateOf("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        sim.RunFor(QuietPeriod + Fdt * 5);
        Assert.Equal(InterfaceState.Offline, sim.StateOf("net0"));
        Assert.Empty(DataMovesSince(sim, restartedAt));

        Assert.True(sim.Engine.Online("net0").Ok);
        sim.Drain();
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.False(sim.Interface("net2").IsActive);
    }

    [Fact]
    public void A_failback_no_member_kept_inactive_stays_inactive_so_a_restart_moves_nothing()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt, failback: false));
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.PullCable("net0"));
        sim.Do(n => n.PlugCable("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, Fdt * 3));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.False(sim.Interface("net0").IsActive);
        var memory = sim.Engine.Remember();
        Assert.True(memory.Interfaces.Single(i => i.Name == "net0").Inactive);

        var restartedAt = sim.Network.Journal.Count;

        sim.Restart(Lab.ThreeNics(Fdt, failback: false), memory);
        sim.RunFor(QuietPeriod + Fdt * 5);
        Assert.Empty(DataMovesSince(sim, restartedAt));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.Equal(["net1", "net2"], sim.Snapshot().Interfaces.Where(i => i.IsActive).Select(i => i.Name).Order());
        Assert.True((sim.Interface("net0").Flags & InterfaceFlags.Inactive) != 0);

        // Without the memory the same restart shuffles: net0 is active again and the standby gives .50 back.
        var forgetful = Lab.Start(Lab.ThreeNics(Fdt, failback: false));
        forgetful.RunFor(Fdt * 3);
        forgetful.Do(n => n.PullCable("net0"));
        forgetful.Do(n => n.PlugCable("net0"));
        forgetful.RunUntil(() => forgetful.StateOf("net0") == InterfaceState.Ok, Fdt * 3);
        var at = forgetful.Network.Journal.Count;
        forgetful.Restart(Lab.ThreeNics(Fdt, failback: false), remembered: null);
        Assert.NotEmpty(DataMovesSince(forgetful, at));
    }

    [Fact]
    public void An_active_standby_stays_the_one_in_use()
    {
        // Two standbys; net3 covers for net1 because net2 was offline then. After net2 came back (inactive),
        // a restart must keep net3, not prefer net2 by configuration order.
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]),
            Lab.Nic("net2", 12, [], standby: true),
            Lab.Nic("net3", 13, [], standby: true));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        Assert.True(sim.Engine.Offline("net2").Ok);
        sim.Do(n => n.KillPort("net1"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Failed, Fdt * 2));
        Assert.Equal("net3", sim.Holder("192.168.10.51"));
        Assert.True(sim.Engine.Online("net2").Ok);
        sim.Drain();
        Assert.Equal("net3", sim.Holder("192.168.10.51"));
        var memory = sim.Engine.Remember();

        var restartedAt = sim.Network.Journal.Count;

        sim.Restart(config, memory);
        sim.RunFor(QuietPeriod + Fdt * 5);
        Assert.Empty(DataMovesSince(sim, restartedAt));
        Assert.Equal("net3", sim.Holder("192.168.10.51"));
        Assert.Equal(["net0", "net3"], sim.Snapshot().Interfaces.Where(i => i.IsActive).Select(i => i.Name).Order());
    }

    [Fact]
    public void Memory_of_an_interface_no_longer_configured_or_in_another_group_is_ignored()
    {
        var sim = DeadPortOnNet1();
        sim.Do(n => n.PullCable("net0"));
        var memory = sim.Engine.Remember();
        // net1 leaves the configuration; net0 moves to another group.
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"], group: "other"),
            Lab.Nic("net2", 12, ["192.168.10.51/24"]));
        sim.Network.PlugCable("net0");
        sim.Restart(config, memory);
        Assert.Contains(sim.Log, l => l.Message.Text == "remembered state of net1 ignored: no longer in the configuration");
        Assert.Contains(sim.Log, l => l.Message.Text == "remembered state of net0 ignored: now in group other, was in ipmp0");
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));   // started afresh
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net1");
    }

    [Fact]
    public void Memory_of_a_re_plumbed_interface_is_ignored()
    {
        var sim = DeadPortOnNet1();
        var memory = sim.Engine.Remember();
        var stale = memory with
        {
            Interfaces = [.. memory.Interfaces.Select(i => i.Name == "net1" ? i with { IfIndex = i.IfIndex + 100 } : i)],
        };
        sim.Restart(Lab.ThreeNics(Fdt), stale);
        Assert.Contains(sim.Log, l => l.Message.Text.StartsWith("remembered state of net1 ignored: re-plumbed since", StringComparison.Ordinal));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));   // as without memory
    }

    [Fact]
    public void Memory_of_an_interface_absent_at_start_is_dropped()
    {
        var sim = DeadPortOnNet1();
        var memory = sim.Engine.Remember();
        sim.Network.Unplug("net1");
        sim.Restart(Lab.ThreeNics(Fdt), memory);
        Assert.Contains(sim.Log, l => l.Message.Text == "remembered state of net1 ignored: not present at start");
        // It comes back later as a new interface (a new plumbing): no memory applies.
        sim.Do(n => n.Plug("net1"));
        Assert.DoesNotContain(sim.Engine.Remember().Interfaces, i => i.Name == "net1" && i.Failed is not null);
    }

    [Fact]
    public void Restore_after_the_first_network_event_is_refused()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        Assert.Throws<InvalidOperationException>(() => sim.Engine.Restore(RememberedState.Empty));
    }

    [Fact]
    public void A_remembered_group_failure_keeps_addresses_in_place_until_members_repair()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.Host("router").Up = false);
        sim.Do(n => n.Host("host2").Up = false);
        sim.Do(n => n.Host("client").Up = false);
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 3));
        var memory = sim.Engine.Remember();
        Assert.All(memory.Interfaces, i => Assert.NotNull(i.Failed));

        var restartedAt = sim.Network.Journal.Count;

        sim.Restart(Lab.ThreeNics(Fdt), memory);
        Assert.Equal(GroupState.Failed, sim.Group("ipmp0").State);
        sim.RunFor(Fdt * 5);
        Assert.Empty(DataMovesSince(sim, restartedAt));
        Assert.Equal(GroupState.Failed, sim.Group("ipmp0").State);

        // Members repair one by one, as after any group failure, and the addresses end at home.
        sim.Do(n => n.Host("router").Up = true);
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Ok, Fdt * 3));
        sim.RunFor(Fdt);
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
    }
}
