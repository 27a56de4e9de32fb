using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Probe-based detection: a switch port that passes no frames while carrier stays up.</summary>
public class ProbeFailureTests
{
    public static TheoryData<int, int> FdtsAndSeeds()
    {
        var d = new TheoryData<int, int>();
        foreach (var fdt in new[] { 100, 1000, 10000 })
            foreach (var seed in new[] { 1, 2, 3, 4, 5 })
                d.Add(fdt, seed);
        return d;
    }

    [Theory, MemberData(nameof(FdtsAndSeeds))]
    public void Dead_port_is_detected_within_fdt_and_repaired_within_two_fdt(int fdtMs, int seed)
    {
        var fdt = TimeSpan.FromMilliseconds(fdtMs);
        var sim = Lab.Start(Lab.ThreeNics(fdt), seed: seed);
        // Past the 40 s quiet period's early end: every NIC has had probes acked.
        sim.RunFor(TimeSpan.FromSeconds(1) + fdt * 3);
        Assert.True(sim.Snapshot().Interfaces.All(i => i.Probe == ProbeState.Ok), sim.Dump());

        sim.Do(n => n.KillPort("net0"));
        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, fdt * 2);

        Assert.True(detected is not null, sim.Dump());
        Assert.True(detected <= fdt, $"detection took {detected}, FDT is {fdt}");
        Assert.Equal(LinkState.Up, sim.Interface("net0").Link);     // carrier never went
        Assert.Equal(ProbeState.Failed, sim.Interface("net0").Probe);
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.True(sim.ClientReaches("192.168.10.50"));

        sim.Do(n => n.RepairPort("net0"));
        var repaired = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Ok, fdt * 3);
        Assert.NotNull(repaired);
        Assert.True(repaired <= fdt * 2, $"repair took {repaired}, 2 x FDT is {fdt * 2}");
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface repair detected on net0 of group ipmp0");
    }

    [Fact]
    public void Quiet_period_ignores_losses_of_a_fresh_interface_until_one_probe_is_acked()
    {
        var sim = Lab.Start(Lab.ThreeNics(TimeSpan.FromSeconds(1)));
        // Dead from the start: nothing ever answers net0, so the quiet period holds for its 40 s.
        sim.Do(n => n.KillPort("net0"));
        sim.RunFor(TimeSpan.FromSeconds(30));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        var detected = sim.RunUntil(() => sim.StateOf("net0") == InterfaceState.Failed, TimeSpan.FromSeconds(15));
        Assert.NotNull(detected);
        Assert.True(sim.Now >= TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void Probes_go_one_per_interval_per_interface_at_random_points_and_rotate_over_targets()
    {
        var fdt = TimeSpan.FromMilliseconds(700);     // interval 100 ms
        var sim = Lab.Start(Lab.ThreeNics(fdt), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            n.AddRouter("router2", "192.168.10.3");
        });
        sim.RunFor(TimeSpan.FromSeconds(2));
        var start = sim.Network.Journal.Count;
        var from = sim.Now;
        sim.RunFor(TimeSpan.FromSeconds(10));
        var probes = sim.Network.Journal.Skip(start)
            .Where(j => j.Command is Commands.SendProbe { Interface: "net0" } p && !p.Destination.ToString().StartsWith("224"))
            .ToList();
        // 10 s / 100 ms = 100 probes, give or take the random phase.
        Assert.InRange(probes.Count, 98, 102);
        var gaps = probes.Zip(probes.Skip(1), (a, b) => (b.At - a.At).TotalMilliseconds).ToList();
        Assert.All(gaps, g => Assert.InRange(g, 50 - 0.01, 150 + 0.01));   // base + I·rand[0.5, 1]
        Assert.True(gaps.Max() - gaps.Min() > 40, "send times are randomised");
        var targets = probes.Select(p => ((Commands.SendProbe)p.Command).Destination.ToString()).ToList();
        Assert.Equal(targets.Count(t => t == "192.168.10.1"), targets.Count(t => t == "192.168.10.3"), 1.0);
        Assert.All(targets.Zip(targets.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public void A_single_dead_target_among_several_is_a_target_failure_not_an_interface_failure()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var sim = Lab.Start(Lab.ThreeNics(fdt), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            n.AddRouter("router2", "192.168.10.3");
            n.AddRouter("router3", "192.168.10.4");
        });
        sim.RunFor(TimeSpan.FromSeconds(3));
        Assert.Equal(TargetMode.Routes, sim.Interface("net0").V4.Mode);
        Assert.Equal(3, sim.Interface("net0").V4.Targets.Length);

        sim.Do(n => n.Host("router2").Up = false);
        sim.RunFor(fdt * 5);

        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));
        Assert.DoesNotContain(sim.Log, l => l.Message.Id == MessageId.InterfaceFailure);
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.TargetDead && l.Message.Text.Contains("192.168.10.3"));
        Assert.DoesNotContain(System.Net.IPAddress.Parse("192.168.10.3"), sim.Interface("net0").V4.Targets);

        // A dead router is given another chance after about two minutes.
        sim.Do(n => n.Host("router2").Up = true);
        sim.RunFor(TimeSpan.FromSeconds(125));
        Assert.Contains(System.Net.IPAddress.Parse("192.168.10.3"), sim.Interface("net0").V4.Targets);
    }

    [Fact]
    public void All_probe_targets_dying_at_once_is_a_group_failure_then_targets_are_rediscovered()
    {
        var fdt = TimeSpan.FromSeconds(1);
        var config = Lab.ThreeNics(fdt);
        var sim = Lab.Start(config, n =>
        {
            // No router: targets come from multicast discovery.
            Lab.Topology(n, router: false, "net0", "net1", "net2");
            n.AddHost("host3", "192.168.10.3");
        });
        sim.RunFor(TimeSpan.FromSeconds(3));
        Assert.Equal(TargetMode.Multicast, sim.Interface("net0").V4.Mode);
        Assert.Equal(3, sim.Interface("net0").V4.Targets.Length);   // host2, host3, client

        // Every host that answered goes silent at once (they are all on the same bad switch).
        sim.Do(n => { foreach (var h in n.Hosts) h.AnswersEcho = false; });
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Failed, fdt * 2));
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.TargetsFlushed);
        // Group failure moves nothing.
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));

        // A new host appears: rediscovered by multicast, the group repairs.
        sim.Do(n => n.AddHost("host9", "192.168.10.9"));
        Assert.NotNull(sim.RunUntil(() => sim.Group("ipmp0").State == GroupState.Ok, fdt * 4));
        Assert.True(sim.Interface("net0").V4.Targets.SequenceEqual([System.Net.IPAddress.Parse("192.168.10.9")]), sim.Dump());
    }
}
