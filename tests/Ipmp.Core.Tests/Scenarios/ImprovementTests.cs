using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Where we deliberately do better than illumos (reference 9), and the corner cases the group
/// invariant property found.</summary>
public class ImprovementTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    /// <summary>illumos bug (reference 9, "all-standby groups after repair"): a repair sets INACTIVE on every
    /// standby, so after a group-wide failure nothing is active although the members are usable.</summary>
    [Fact]
    public void A_standby_only_group_has_an_active_member_after_a_group_failure_and_repair()
    {
        var config = Lab.Config(Fdt, true, true, [Model.IpPrefix.Parse("192.168.10.60/24")],
            Lab.Nic("net0", 10, [], standby: true),
            Lab.Nic("net1", 11, [], standby: true));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        Assert.Single(sim.Snapshot().Interfaces, i => i.IsActive);

        sim.Do(n => n.Host("router").AnswersEcho = false);           // every target dies: a group failure
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 2));
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.IsActive);

        sim.Do(n => n.Host("router").AnswersEcho = true);
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Ok, Fdt * 3));
        Assert.Single(sim.Snapshot().Interfaces, i => i.IsActive);
        var holder = sim.Holder("192.168.10.60");
        Assert.True(sim.Interface(holder!).IsActive);
        Assert.True(sim.ClientReaches("192.168.10.60"));
    }

    /// <summary>illumos weak evidence (reference 9): a link-only member with its link up counts as proof that
    /// the network works even when it is OFFLINE, turning a group failure into an interface failure.</summary>
    [Fact]
    public void An_offline_member_with_link_up_is_not_evidence_that_the_network_works()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 0, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        Assert.True(sim.Engine.Offline("net1").Ok);
        sim.Drain();
        Assert.Equal(LinkState.Up, sim.Interface("net1").Link);

        sim.Do(n => n.KillPort("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 2));
        Assert.Contains(sim.Log, l => l.Message.Text == "All IP interfaces in group ipmp0 are now unusable");
        Assert.DoesNotContain(sim.Log, l => l.Message.Id == MessageId.InterfaceFailure);
    }

    /// <summary>The same for a FAILED member with its link up: a link-only NIC held failed by flap damping.</summary>
    [Fact]
    public void A_failed_member_with_link_up_is_not_evidence_that_the_network_works()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 0, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        for (var i = 0; i < 3; i++)
        {
            sim.Do(n => n.PullCable("net1"));
            sim.Do(n => n.PlugCable("net1"));
        }
        Assert.Equal(InterfaceState.Failed, sim.StateOf("net1"));    // damped: link up, still failed
        Assert.Equal(LinkState.Up, sim.Interface("net1").Link);
        var failures = sim.Log.Count(l => l.Message.Id == MessageId.InterfaceFailure);

        sim.Do(n => n.KillPort("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 2));
        Assert.Equal(failures, sim.Log.Count(l => l.Message.Id == MessageId.InterfaceFailure));
    }

    [Fact]
    public void A_nic_whose_driver_does_not_report_carrier_shows_link_unknown_and_works()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            n.Nic("net1").ReportsCarrier = false;
        });
        sim.RunFor(Fdt * 3);
        Assert.Equal(LinkState.Unknown, sim.Interface("net1").Link);
        Assert.Equal(LinkState.Up, sim.Interface("net0").Link);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        // Probes are its only detector.
        sim.Do(n => n.KillPort("net1"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net1") == InterfaceState.Failed, Fdt * 2));
        Assert.Equal(LinkState.Unknown, sim.Interface("net1").Link);
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
    }

    /// <summary>Found by the group invariant property. Addresses moved onto a NIC whose port had just died (not
    /// yet detected) are announced into the void; the group then fails and nothing is active. When that NIC
    /// is repaired the addresses are bound again where they are, and must be announced again, as Clearview
    /// does on rebinding — otherwise clients keep the old MAC.</summary>
    [Fact]
    public void Addresses_are_announced_again_when_they_are_bound_after_a_group_failure()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        sim.Do(n => n.KillPort("net0"));          // not detected yet
        sim.Do(n => n.PullCable("net1"));         // .51 moves to net0, its announcement is lost
        Assert.Equal("net0", sim.Holder("192.168.10.51"));
        Assert.False(sim.ClientReaches("192.168.10.51"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 2));

        sim.Do(n => n.RepairPort("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, Fdt * 3));
        Assert.Equal("net0", sim.Holder("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.50"));
    }

    /// <summary>Found by the group invariant property. A link-only NIC that was offline during a group failure
    /// comes back FAILED (illumos sets FAILED on every member); with its link up nothing else would ever
    /// re-check it (illumos does at its 20 s rescans), so undo-offline checks the repair at once.</summary>
    [Fact]
    public void A_link_only_nic_brought_online_after_a_group_failure_is_repaired()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 0, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 3);
        Assert.True(sim.Engine.Offline("net1").Ok);
        sim.Drain();
        sim.Do(n => n.KillPort("net0"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, Fdt * 2));

        Assert.True(sim.Engine.Online("net1").Ok);
        sim.Drain();
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.True(sim.Interface("net1").IsActive);
        sim.RunFor(Fdt);
        Assert.Equal("net1", sim.Holder("192.168.10.50"));
        Assert.True(sim.ClientReaches("192.168.10.50"));
        Assert.True(sim.ClientReaches("192.168.10.51"));
    }
}
