using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Events;
using Ipmp.Core.Model;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Which targets are probed (reference 3.5): routers, then on-link host routes; at most 5 active;
/// multicast discovery when there are no routes.</summary>
public class TargetSelectionTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    private static RouteInfo Default(string gw) => new(IpPrefix.Parse("0.0.0.0/0"), IPAddress.Parse(gw), null);
    private static RouteInfo HostRoute(string a) => new(IpPrefix.Parse($"{a}/32"), null, "net0");

    [Fact]
    public void Router_targets_come_first_then_on_link_host_routes()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            Lab.Topology(n, router: false, "net0", "net1", "net2");
            n.AddHost("router", "192.168.10.1");
            n.AddHost("host7", "192.168.10.7");
            // The host route is listed first: the gateway still comes first.
            n.RoutesV4.Add(HostRoute("192.168.10.7"));
            n.RoutesV4.Add(Default("192.168.10.1"));
            n.RoutesV4.Add(new RouteInfo(IpPrefix.Parse("10.0.0.0/8"), IPAddress.Parse("172.16.0.1"), null));  // not on our subnet
        });
        var pi = sim.Engine.FindInterface("net0")!.V4;
        Assert.Equal(["192.168.10.1", "192.168.10.7"], pi.Targets.Select(t => t.Address.ToString()));
        Assert.All(pi.Targets, t => Assert.Equal(TargetKind.Router, t.Kind));
        sim.RunFor(Fdt * 2);
        Assert.Equal(TargetMode.Routes, sim.Interface("net0").V4.Mode);
        Assert.Equal(2, sim.Interface("net0").V4.Targets.Length);
    }

    [Fact]
    public void At_most_five_targets_are_active_the_others_wait_unused()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            Lab.Topology(n, router: false, "net0", "net1", "net2");
            for (var i = 1; i <= 7; i++) n.AddRouter($"r{i}", $"192.168.10.{i + 20}");
        });
        sim.RunFor(Fdt * 3);
        var pi = sim.Engine.FindInterface("net0")!.V4;
        Assert.Equal(7, pi.Targets.Count);
        Assert.Equal(5, pi.ActiveTargets.Count());
        Assert.Equal(2, pi.Targets.Count(t => t.Status == TargetStatus.Unused));
        Assert.Equal(5, sim.Interface("net0").V4.Targets.Length);
        // Only active targets are probed.
        var probed = sim.Network.Journal.Select(j => j.Command).OfType<Commands.SendProbe>()
            .Where(p => p.Interface == "net0").Select(p => p.Destination).Distinct().ToList();
        Assert.Equal(5, probed.Count);
        Assert.All(pi.Targets.Where(t => t.Status == TargetStatus.Unused), t => Assert.DoesNotContain(t.Address, probed));
    }

    [Fact]
    public void Without_routes_targets_are_discovered_by_multicast()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n => Lab.Topology(n, router: false, "net0", "net1", "net2"));
        sim.RunFor(Fdt * 2);
        var t = sim.Interface("net0").V4;
        Assert.Equal(TargetMode.Multicast, t.Mode);
        Assert.Equal(["192.168.10.100", "192.168.10.2"], t.Targets.Select(a => a.ToString()).Order());
        Assert.Contains(sim.Network.Journal, j => j.Command is Commands.SendProbe p && p.Destination.ToString() == "224.0.0.1");
        Assert.All(sim.Engine.FindInterface("net0")!.V4.Targets, x => Assert.Equal(TargetKind.Host, x.Kind));
        Assert.Equal(ProbeState.Ok, sim.Interface("net0").Probe);
    }

    [Fact]
    public void With_exactly_one_host_target_a_multicast_probe_goes_with_every_unicast_one()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            n.AddNic("net0"); n.AddNic("net1"); n.AddNic("net2");
            n.AddHost("host2", "192.168.10.2");
            n.AddHost("client", "192.168.10.100").AnswersMulticastEcho = false;
        });
        sim.RunFor(Fdt * 2);
        Assert.Equal(["192.168.10.2"], sim.Interface("net0").V4.Targets.Select(a => a.ToString()));
        var from = sim.Network.Journal.Count;
        sim.RunFor(Fdt * 5);
        var sent = sim.Network.Journal.Skip(from).Select(j => j.Command).OfType<Commands.SendProbe>()
            .Where(p => p.Interface == "net0").ToList();
        var unicast = sent.Count(p => p.Destination.ToString() == "192.168.10.2");
        var multicast = sent.Count(p => p.Destination.ToString() == "224.0.0.1");
        Assert.InRange(unicast, 30, 40);
        Assert.Equal(unicast, multicast);

        // A second host starts answering: it is found, and the extra multicast probes stop.
        sim.Do(n => n.Host("client").AnswersMulticastEcho = true);
        sim.RunFor(Fdt);
        Assert.Equal(2, sim.Interface("net0").V4.Targets.Length);
        from = sim.Network.Journal.Count;
        sim.RunFor(Fdt * 2);
        Assert.DoesNotContain(sim.Network.Journal.Skip(from), j => j.Command is Commands.SendProbe { Interface: "net0" } p && p.Destination.ToString() == "224.0.0.1");
    }

    [Fact]
    public void A_route_that_appears_replaces_the_host_targets_with_the_router()
    {
        var sim = Lab.Start(Lab.ThreeNics(Fdt), n =>
        {
            Lab.Topology(n, router: false, "net0", "net1", "net2");
            n.AddHost("router", "192.168.10.1");
        });
        sim.RunFor(Fdt * 2);
        Assert.Equal(TargetMode.Multicast, sim.Interface("net0").V4.Mode);
        Assert.Equal(3, sim.Interface("net0").V4.Targets.Length);

        sim.Do(n => n.SetRoutes(AddressFamily.InterNetwork, [Default("192.168.10.1")]));
        foreach (var name in new[] { "net0", "net1", "net2" })
        {
            Assert.Equal(TargetMode.Routes, sim.Interface(name).V4.Mode);
            Assert.Equal(["192.168.10.1"], sim.Interface(name).V4.Targets.Select(a => a.ToString()));
            Assert.DoesNotContain(sim.Engine.FindInterface(name)!.V4.Targets, t => t.Kind == TargetKind.Host);
        }
        sim.RunFor(Fdt * 2);
        Assert.All(sim.Snapshot().Interfaces, i => Assert.Equal(InterfaceState.Ok, i.State));
    }
}
