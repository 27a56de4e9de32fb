using System.Net;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>One nexthop object (RTM_NEWNEXTHOP, Linux 5.3+), decoded: a single next hop (interface, perhaps a
/// gateway) or a group of other nexthop objects that routes refer to by id (RTA_NH_ID).</summary>
/// <param name="Family">Unspecified for a group (and a blackhole without family).</param>
/// <param name="Group">The members of a group (NHA_GROUP); empty for a single next hop.</param>
public sealed record NextHopInfo(
    uint Id,
    AddressFamily Family,
    int OutputInterface,
    IPAddress? Gateway,
    bool Blackhole,
    RouteProtocol Protocol,
    uint Flags,
    IReadOnlyList<NextHopGroupMember> Group)
{
    public bool IsGroup => Group.Count > 0;

    public override string ToString() =>
        IsGroup ? $"id {Id} group {string.Join('/', Group.Select(m => m.Weight == 1 ? $"{m.Id}" : $"{m.Id},{m.Weight}"))}"
            : $"id {Id} {Family} via {Gateway?.ToString() ?? "-"} oif {OutputInterface}{(Blackhole ? " blackhole" : "")}";
}

/// <summary>One entry of NHA_GROUP (struct nexthop_grp).</summary>
/// <param name="Weight">1..256; the kernel stores weight-1.</param>
public sealed record NextHopGroupMember(uint Id, int Weight = 1);

/// <summary>A nexthop object to add or replace: either a single next hop (<see cref="OutputInterface"/>,
/// optionally <see cref="Gateway"/>) of <see cref="Family"/>, or a multipath <see cref="Group"/>.</summary>
public sealed record NextHopSpec
{
    public required uint Id { get; init; }
    public AddressFamily Family { get; init; } = AddressFamily.Unspecified;
    public int OutputInterface { get; init; }
    public IPAddress? Gateway { get; init; }
    public RouteProtocol Protocol { get; init; } = RouteProtocol.Static;
    public IReadOnlyList<NextHopGroupMember>? Group { get; init; }
}
