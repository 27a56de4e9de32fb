using System.Net;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Offline/online, interfaces missing at boot, hot-unplug and re-attach, changes behind the
/// daemon's back, restarts.</summary>
public class ReconfigurationTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    [Fact]
    public void Offline_moves_addresses_away_and_stops_probing_then_online_takes_them_back()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 2);

        var result = sim.Engine.Offline("net0");
        sim.Drain();
        Assert.True(result.Ok, result.Message);
        Assert.Equal(InterfaceState.Offline, sim.StateOf("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        Assert.Equal(GroupState.Degraded, sim.Group("ipmp0").State);
        var sent = sim.Network.Journal.Count(j => j.Command is Commands.SendProbe { Interface: "net0" });
        sim.RunFor(Fdt * 3);
        Assert.Equal(sent, sim.Network.Journal.Count(j => j.Command is Commands.SendProbe { Interface: "net0" }));

        Assert.Equal(IpmpError.InvalidArgument, sim.Engine.Offline("net0").Error);   // already offline
        result = sim.Engine.Online("net0");
        sim.Drain();
        Assert.True(result.Ok);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal(IpmpError.InvalidArgument, sim.Engine.Online("net0").Error);    // not offline
    }

    [Fact]
    public void Online_makes_the_interface_active_even_with_failback_no()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt, failback: false));
        sim.RunFor(Fdt * 2);
        Assert.True(sim.Engine.Offline("net0").Ok);
        Assert.True(sim.Engine.Online("net0").Ok);
        sim.Drain();
        Assert.True(sim.Interface("net0").IsActive);
    }

    [Fact]
    public void Offline_is_refused_when_no_other_member_would_stay_usable()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]));
        var sim = Lab.Start(config);
        sim.RunFor(Fdt * 2);
        sim.Do(n => n.PullCable("net1"));

        var result = sim.Engine.Offline("net0");
        Assert.Equal(IpmpError.MinRedundancy, result.Error);
        Assert.Equal("no other functioning interfaces are in its IPMP group", result.Message);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        Assert.Equal(IpmpError.UnknownInterface, sim.Engine.Offline("eth9").Error);
    }

    [Fact]
    public void Offline_is_refused_in_the_anonymous_group()
    {
        var config = new Configuration.IpmpConfig(new Configuration.DaemonSettings(Fdt, true, false), [], []);
        var sim = Lab.Start(config, n => Lab.Topology(n, "net0", "net1"));
        sim.RunFor(Fdt);
        Assert.Equal("", sim.Interface("net0").Group);
        Assert.Equal(IpmpError.MinRedundancy, sim.Engine.Offline("net0").Error);
    }

    [Fact]
    public void Interface_missing_at_boot_has_its_addresses_hosted_elsewhere_until_it_appears()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            n.AddNic("net0", present: false);
            n.AddNic("net1");
            n.AddNic("net2");
            n.AddRouter("router", "192.168.10.1");
            n.AddHost("client", "192.168.10.100");
        });
        sim.RunFor(Fdt);
        Assert.Equal("net2", sim.Holder("192.168.10.50"));      // the standby covers for the missing NIC
        Assert.True(sim.ClientReaches("192.168.10.50"));
        Assert.Equal("moving addresses from missing IPv4 interfaces: net0 (moved to net2)",
            Assert.Single(sim.Log, l => l.Message.Id == MessageId.InterfaceMissing).Message.Text);
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net0");

        sim.Do(n => n.Plug("net0"));
        sim.RunFor(Fdt);
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Contains(new IpPrefix(IPAddress.Parse("192.168.10.10"), 24), sim.Network.AddressesOf("net0"));
        Assert.Equal(ProbeState.Ok, sim.Interface("net0").Probe);
        Assert.False(sim.Interface("net2").IsActive);
    }

    [Fact]
    public void Interface_removed_is_failed_over_and_takes_its_addresses_back_when_reattached()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 2);
        sim.Do(n => n.Unplug("net1"));
        Assert.Equal("net2", sim.Holder("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.51"));
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net1");

        sim.Do(n => n.Plug("net1"));
        sim.RunFor(Fdt * 2);
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.Equal(ProbeState.Ok, sim.Interface("net1").Probe);
    }

    [Fact]
    public void An_address_deleted_behind_the_daemons_back_is_put_back()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt);
        sim.Do(n => n.DeleteAddressBehindBack("net0", IpPrefix.Parse("192.168.10.50/24")));
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        sim.Do(n => n.DeleteAddressBehindBack("net0", IpPrefix.Parse("192.168.10.10/24")));   // the test address too
        Assert.Contains(IpPrefix.Parse("192.168.10.10/24"), sim.Network.AddressesOf("net0"));
    }

    [Fact]
    public void Restart_adopts_addresses_where_they_are_and_removes_duplicates_left_by_a_kill_mid_move()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt);
        sim.Do(n => n.PullCable("net0"));
        Assert.Equal("net2", sim.Holder("192.168.10.50"));
        // The daemon is killed in the middle of failing back: the address was added on net0 but not yet
        // removed from net2. The dead daemon reads no more events.
        sim.Network.PlugCable("net0");
        sim.Network.Execute(new Commands.AddAddress("net0", IpPrefix.Parse("192.168.10.50/24"), Commands.AddressRole.Data));
        sim.Network.Events.Clear();
        Assert.Equal(2, sim.Network.AllHolders(IPAddress.Parse("192.168.10.50")).Count);

        // A new engine on the same (simulated) kernel.
        var port = new Commands.RecordingPort();
        var engine = new IpmpEngine(Lab.ThreeNics(Fdt), port, sim.Clock, new Random(5), null, new EngineOptions { RunId = 3, Cookie = 5 });
        engine.Handle(sim.Network.Snapshot());
        foreach (var c in port.Commands) sim.Network.Execute(c);
        Assert.Single(sim.Network.AllHolders(IPAddress.Parse("192.168.10.50")));
        Assert.Single(sim.Network.AllHolders(IPAddress.Parse("192.168.10.51")));
        Assert.True(!port.Commands.Any(c => c is Commands.AddAddress { Role: Commands.AddressRole.Data }), string.Join("\n", port.Commands));
    }

    [Fact]
    public void Reload_keeps_learned_state_and_applies_changes()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt));
        sim.RunFor(Fdt * 2);
        var before = sim.Engine.FindInterface("net0")!;
        var sentBefore = before.V4.Sent;
        // Add a data address to net1 and make the FDT shorter.
        var config = Lab.Config(TimeSpan.FromMilliseconds(500), true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24", "192.168.10.52/24"]),
            Lab.Nic("net2", 12, [], standby: true));
        sim.Engine.ApplyConfig(config);
        sim.Drain();
        Assert.Same(before, sim.Engine.FindInterface("net0"));
        Assert.True(before.V4.Sent >= sentBefore && before.V4.Targets[0].Rtt.HasSample);
        Assert.Equal("net1", sim.Holder("192.168.10.52"));
        Assert.Equal(TimeSpan.FromMilliseconds(500), sim.Group("ipmp0").FailureDetectionTime);
    }

    [Fact]
    public void Anonymous_group_detects_failures_but_moves_nothing()
    {
        var config = new Configuration.IpmpConfig(new Configuration.DaemonSettings(Fdt, true, false), [], []);
        var sim = Lab.Start(config, n =>
        {
            Lab.Topology(n, "net5", "net6");
        });
        sim.Do(n => n.Execute(new Commands.AddAddress("net5", IpPrefix.Parse("192.168.10.55/24"), Commands.AddressRole.Data)));
        sim.RunFor(Fdt * 3);
        var g = sim.Snapshot().Groups.Single();
        Assert.True(g.IsAnonymous);
        Assert.Equal(GroupState.Ok, g.State);
        Assert.Equal("--mbM--".Replace('m', '-').Replace('b', '-').Replace('M', '-'), FailoverTests.Flags(sim.Interface("net5")));
        Assert.Equal(IPAddress.Parse("192.168.10.55"), sim.Interface("net5").V4.TestAddress);
        Assert.Equal(ProbeState.Ok, sim.Interface("net5").Probe);

        sim.Do(n => n.KillPort("net5"));
        Assert.NotNull(sim.RunUntil(() => sim.StateOf("net5") == InterfaceState.Failed, Fdt * 2));
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface failure detected on net5");
        Assert.Equal("net5", sim.Holder("192.168.10.55"));      // no failover in the anonymous group
        Assert.Equal(GroupState.Ok, sim.Snapshot().Groups.Single().State);
        Assert.Empty(sim.Snapshot().Addresses);
    }
}
