using System.Net;
using System.Net.NetworkInformation;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>
/// Joining a group: every member has its own MAC (a duplicate goes offline with the h flag and comes back
/// when unique, illumos mpd_tables.c and the Clearview behaviour), all share one media type, and loopback,
/// point-to-point, non-multicast and NOARP links are never members.
/// </summary>
public class MembershipTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    private static Simulation.Simulation Settled(Action<Simulation.SimNetwork>? tweak = null, IpmpConfigBuilder? config = null)
    {
        var sim = Lab.Start(config?.Invoke() ?? Lab.ThreeNics(Fdt), n =>
        {
            Lab.Topology(n, "net0", "net1", "net2");
            tweak?.Invoke(n);
        });
        sim.RunFor(Fdt * 3);
        return sim;
    }

    public delegate Configuration.IpmpConfig IpmpConfigBuilder();

    private static bool Dup(InterfaceStatus i) => (i.Flags & InterfaceFlags.HwAddrDup) != 0;

    private static IEnumerable<string> OutboundSets(Simulation.Simulation sim) =>
        sim.Network.Journal.Select(j => j.Command).OfType<SetOutboundMembers>().SelectMany(o => o.Members);

    [Fact]
    public void A_nic_with_another_members_mac_at_start_is_offline_with_the_h_flag()
    {
        var sim = Settled(n => n.Nic("net1").Mac = n.Nic("net0").Mac);
        var net1 = sim.Interface("net1");
        Assert.Equal(InterfaceState.Offline, net1.State);
        Assert.True(Dup(net1));
        Assert.False(net1.IsActive);
        Assert.False(Dup(sim.Interface("net0")));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface net1 has a hardware address which is not unique in group ipmp0; offlining");
        Assert.NotEqual("net1", sim.Holder("192.168.10.51"));
        Assert.True(sim.ClientReaches("192.168.10.51"));
        // if_mpadm -r cannot bring it back while the MAC is shared.
        Assert.Equal(IpmpError.HwAddrDuplicate, sim.Engine.Online("net1").Error);
    }

    [Fact]
    public void A_duplicate_comes_back_when_its_mac_is_unique_again()
    {
        var sim = Settled(n => n.Nic("net1").Mac = n.Nic("net0").Mac);
        sim.Do(n => n.ChangeLink("net1", nic => nic.Mac = PhysicalAddress.Parse("02-00-5E-10-99-01")));
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface net1 now has a unique hardware address in group ipmp0; onlining");
        Assert.False(Dup(sim.Interface("net1")));
        sim.RunFor(Fdt);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
    }

    [Fact]
    public void A_member_whose_mac_changes_to_another_members_goes_offline_and_its_addresses_move()
    {
        var sim = Settled();
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        sim.Do(n => n.ChangeLink("net1", nic => nic.Mac = n.Nic("net0").Mac));
        Assert.Equal(InterfaceState.Offline, sim.StateOf("net1"));
        Assert.True(Dup(sim.Interface("net1")));
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net0"));
        Assert.NotEqual("net1", sim.Holder("192.168.10.51"));
        Assert.True(sim.Interface("net2").IsActive);        // the standby covers

        sim.Do(n => n.ChangeLink("net1", nic => nic.Mac = Simulation.SimNetwork.MacFor(77)));
        sim.RunFor(Fdt);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
    }

    [Fact]
    public void The_duplicate_comes_back_when_the_member_it_duplicates_is_offlined_or_leaves()
    {
        var sim = Settled(n => n.Nic("net1").Mac = n.Nic("net0").Mac);
        Assert.True(sim.Engine.Offline("net0").Ok);
        sim.Drain();
        Assert.False(Dup(sim.Interface("net1")));
        Assert.NotEqual(InterfaceState.Offline, sim.StateOf("net1"));

        var again = Settled(n => n.Nic("net1").Mac = n.Nic("net0").Mac);
        again.Do(n => n.Unplug("net0"));
        Assert.False(Dup(again.Interface("net1")));
        again.RunFor(Fdt);
        Assert.Equal(InterfaceState.Ok, again.StateOf("net1"));
        Assert.Equal("net1", again.Holder("192.168.10.51"));
    }

    [Fact]
    public void An_administratively_offline_twin_does_not_make_a_newcomer_a_duplicate()
    {
        var sim = Settled();
        Assert.True(sim.Engine.Offline("net0").Ok);
        sim.Drain();
        sim.Do(n => n.ChangeLink("net1", nic => nic.Mac = n.Nic("net0").Mac));
        Assert.False(Dup(sim.Interface("net1")));
        // Bringing net0 back is refused: its MAC now duplicates an online member's.
        Assert.Equal(IpmpError.HwAddrDuplicate, sim.Engine.Online("net0").Error);
        Assert.True(Dup(sim.Interface("net0")));
    }

    [Fact]
    public void A_member_of_another_media_type_is_refused_and_never_used()
    {
        var sim = Settled(n => n.Nic("net2").LinkType = LinkTypes.Infiniband);
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net2");
        Assert.Contains(sim.Log, l => l.Message.Id == MessageId.InterfaceRefused && l.Message.Text ==
            "IP interface net2 cannot be in group ipmp0: its media type, InfiniBand (ARPHRD 32), differs from the group's, Ethernet (ARPHRD 1); it is not used");
        Assert.DoesNotContain("net2", OutboundSets(sim));
        sim.Do(n => n.PullCable("net1"));                     // no standby to take over: net0 does
        Assert.Equal("net0", sim.Holder("192.168.10.51"));
        Assert.DoesNotContain("net2", OutboundSets(sim));
    }

    public static TheoryData<string> RefusedKinds() => ["loopback", "point-to-point", "no multicast", "noarp"];

    private static void MakeKind(Simulation.SimNic nic, string kind)
    {
        switch (kind)
        {
            case "loopback": nic.Loopback = true; nic.LinkType = LinkTypes.Loopback; break;
            case "point-to-point": nic.PointToPoint = true; nic.LinkType = LinkTypes.Ppp; break;
            case "no multicast": nic.Multicast = false; break;
            case "noarp": nic.NoArp = true; break;
        }
    }

    [Theory, MemberData(nameof(RefusedKinds))]
    public void A_refused_kind_of_link_is_logged_never_a_member_never_in_a_route_and_never_holds_a_data_address(string kind)
    {
        var sim = Settled(n => MakeKind(n.Nic("net1"), kind));
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net1");
        Assert.Single(sim.Log, l => l.Message.Id == MessageId.InterfaceRefused && l.Message.Text.StartsWith("IP interface net1 cannot be in group ipmp0: "));
        Assert.DoesNotContain("net1", OutboundSets(sim));
        Assert.DoesNotContain(sim.Network.AddressesOf("net1"), p => p.Address.Equals(IPAddress.Parse("192.168.10.51")));
        Assert.NotNull(sim.Holder("192.168.10.51"));          // its configured address lives on a member
        Assert.True(sim.ClientReaches("192.168.10.51"));
        sim.RunFor(TimeSpan.FromMinutes(1));
        Assert.Single(sim.Log, l => l.Message.Id == MessageId.InterfaceRefused);   // logged once
    }

    [Fact]
    public void A_member_that_turns_noarp_leaves_with_its_addresses_and_rejoins_when_arp_is_back()
    {
        var sim = Settled();
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        var journal = sim.Network.Journal.Count;
        sim.Do(n => n.ChangeLink("net1", nic => nic.NoArp = true));
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "net1");
        Assert.NotEqual("net1", sim.Holder("192.168.10.51"));
        Assert.DoesNotContain(sim.Network.AddressesOf("net1"), p => p.Address.Equals(IPAddress.Parse("192.168.10.51")));
        var outbound = sim.Network.Journal.Skip(journal).Select(j => j.Command).OfType<SetOutboundMembers>().Last();
        Assert.DoesNotContain("net1", outbound.Members);

        sim.Do(n => n.ChangeLink("net1", nic => nic.NoArp = false));
        sim.RunFor(Fdt * 2);
        Assert.Equal(InterfaceState.Ok, sim.StateOf("net1"));
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
    }

    [Fact]
    public void Loopback_named_in_a_group_is_refused_at_run_time_too()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("lo", 0, ["192.168.10.59/24"]));
        var sim = Lab.Start(config, n =>
        {
            Lab.Topology(n, "net0");
            MakeKind(n.AddNic("lo"), "loopback");
        });
        sim.RunFor(Fdt * 3);
        Assert.DoesNotContain(sim.Snapshot().Interfaces, i => i.Name == "lo");
        Assert.DoesNotContain(sim.Network.AddressesOf("lo"), p => !p.Address.IsIPv6LinkLocal);
        Assert.Equal("net0", sim.Holder("192.168.10.59"));
        Assert.Contains(sim.Log, l => l.Message.Text == "IP interface lo cannot be in group ipmp0: it is a loopback interface; it is not used");
    }
}
