using System.Net.NetworkInformation;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Status;

namespace Ipmp.Core.Tests.Units;

/// <summary>Which links may join a named group (reference 5.2 "Joining a group"; mpd_tables.c).</summary>
public class MembershipRulesTests
{
    private static LinkInfo Link(bool multicast = true, bool loopback = false, bool p2p = false, bool noArp = false,
        ushort type = LinkTypes.Ether) =>
        new("net1", 3, PhysicalAddress.Parse("02-00-5E-10-00-03"), true, LinkState.Up, multicast, loopback, p2p, noArp, type);

    [Fact]
    public void An_ethernet_nic_with_multicast_and_arp_may_join_any_ethernet_group_or_an_empty_one()
    {
        Assert.Null(MembershipRules.Refusal(Link(), null));
        Assert.Null(MembershipRules.Refusal(Link(), LinkTypes.Ether));
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { "loopback", "it is a loopback interface" },
        { "loopback media type", "it is a loopback interface" },
        { "point-to-point", "it is a point-to-point interface" },
        { "no multicast", "it does not support multicast (probes and address announcements need it)" },
        { "noarp", "it does not use ARP/ND (NOARP), so no neighbour could find an address moved to it" },
    };

    private static LinkInfo Kind(string kind) => kind switch
    {
        "loopback" => Link(loopback: true),
        "loopback media type" => Link(type: LinkTypes.Loopback),
        "point-to-point" => Link(p2p: true, type: LinkTypes.Ppp),
        "no multicast" => Link(multicast: false),
        "noarp" => Link(noArp: true),
        _ => throw new ArgumentException(kind),
    };

    [Theory, MemberData(nameof(Refused))]
    public void Loopback_point_to_point_no_multicast_and_noarp_links_are_refused_even_alone(string kind, string reason)
    {
        Assert.Equal(reason, MembershipRules.Refusal(Kind(kind), null));
        Assert.Equal(reason, MembershipRules.Refusal(Kind(kind), LinkTypes.Ether));
    }

    [Fact]
    public void A_link_of_another_media_type_than_the_group_is_refused_and_both_types_are_named()
    {
        Assert.Equal("its media type, InfiniBand (ARPHRD 32), differs from the group's, Ethernet (ARPHRD 1)",
            MembershipRules.Refusal(Link(type: LinkTypes.Infiniband), LinkTypes.Ether));
        Assert.Null(MembershipRules.Refusal(Link(type: LinkTypes.Infiniband), LinkTypes.Infiniband));
    }
}
