using Ipmp.Core.Events;

namespace Ipmp.Core.Engine;

/// <summary>
/// Which links may be members of a named group: the kernel-side refusals of joining an IPMP group
/// (illumos: the interface must support multicast and use ARP/ND, have no point-to-point addresses, and its
/// MAC type must match the group's; in.mpathd itself never tracks loopback, point-to-point or non-multicast
/// interfaces, mpd_tables.c phyint_inst_init_from_k). A refused link is logged, is never a member, is never
/// a next hop of the group's routes and never holds one of its data addresses.
/// </summary>
public static class MembershipRules
{
    /// <summary>Why <paramref name="link"/> cannot be in a named group whose members have media type
    /// <paramref name="groupLinkType"/> (null: no member present yet); null when it can.</summary>
    public static string? Refusal(LinkInfo link, ushort? groupLinkType)
    {
        if (link.Loopback || link.LinkType == LinkTypes.Loopback) return "it is a loopback interface";
        if (link.PointToPoint) return "it is a point-to-point interface";
        if (!link.Multicast) return "it does not support multicast (probes and address announcements need it)";
        if (link.NoArp) return "it does not use ARP/ND (NOARP), so no neighbour could find an address moved to it";
        if (groupLinkType is { } type && type != link.LinkType)
            return $"its media type, {LinkTypes.Describe(link.LinkType)}, differs from the group's, {LinkTypes.Describe(type)}";
        return null;
    }
}
