using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Decodes rtnetlink payloads (the bytes after nlmsghdr) into records. Every method returns false on
/// malformed input and counts it; none throws. Unknown attributes are skipped (new kernels add some).
/// </summary>
internal static class RtNetlinkParser
{
    public static bool TryParseLink(ReadOnlySpan<byte> payload, NetlinkCounters counters, out LinkInfo? link)
    {
        link = null;
        if (payload.Length < ifinfomsg.Size) return Bad(counters);
        var ifi = ifinfomsg.Read(payload);
        string? name = null, kind = null;
        bool? carrier = null;
        PhysicalAddress? mac = null;
        var oper = OperationalState.Unknown;
        uint mtu = 0, master = 0;
        var attrs = new RtAttributeReader(payload[Nl.Align(ifinfomsg.Size)..]);
        while (attrs.TryRead(out var type, out var v))
        {
            switch (type)
            {
                case Nl.IFLA_IFNAME: name = RtAttributeReader.ReadString(v); break;
                case Nl.IFLA_ADDRESS: mac = new PhysicalAddress(v.ToArray()); break;
                case Nl.IFLA_MTU: RtAttributeReader.TryU32(v, out mtu); break;
                case Nl.IFLA_MASTER: RtAttributeReader.TryU32(v, out master); break;
                case Nl.IFLA_OPERSTATE:
                    if (RtAttributeReader.TryU8(v, out var o)) oper = (OperationalState)o;
                    break;
                case Nl.IFLA_CARRIER:
                    if (RtAttributeReader.TryU8(v, out var c)) carrier = c != 0;
                    break;
                case Nl.IFLA_LINKINFO:
                    var nested = new RtAttributeReader(v);
                    while (nested.TryRead(out var t, out var nv))
                        if (t == Nl.IFLA_INFO_KIND) kind = RtAttributeReader.ReadString(nv);
                    if (nested.IsMalformed) return Bad(counters);
                    break;
            }
        }
        if (attrs.IsMalformed || name is null) return Bad(counters);
        link = new LinkInfo(ifi.ifi_index, name, (InterfaceFlags)ifi.ifi_flags, oper, carrier, mac,
            (int)mtu, (int)master, kind, ifi.ifi_type);
        return true;
    }

    public static bool TryParseAddress(ReadOnlySpan<byte> payload, NetlinkCounters counters, out AddressInfo? address)
    {
        address = null;
        if (payload.Length < ifaddrmsg.Size) return Bad(counters);
        var ifa = ifaddrmsg.Read(payload);
        if (ifa.ifa_family is not (Nl.AF_INET or Nl.AF_INET6)) return Bad(counters);
        IPAddress? local = null, addr = null, brd = null;
        string? label = null;
        uint flags = ifa.ifa_flags;
        uint preferred = AddressInfo.Infinite, valid = AddressInfo.Infinite;
        var attrs = new RtAttributeReader(payload[Nl.Align(ifaddrmsg.Size)..]);
        while (attrs.TryRead(out var type, out var v))
        {
            var ok = true;
            switch (type)
            {
                case Nl.IFA_ADDRESS: ok = RtAttributeReader.TryAddress(ifa.ifa_family, v, out addr); break;
                case Nl.IFA_LOCAL: ok = RtAttributeReader.TryAddress(ifa.ifa_family, v, out local); break;
                case Nl.IFA_BROADCAST: ok = RtAttributeReader.TryAddress(ifa.ifa_family, v, out brd); break;
                case Nl.IFA_LABEL: label = RtAttributeReader.ReadString(v); break;
                case Nl.IFA_FLAGS: ok = RtAttributeReader.TryU32(v, out flags); break;
                case Nl.IFA_CACHEINFO:
                    ok = v.Length >= ifa_cacheinfo.Size;
                    if (ok)
                    {
                        var ci = ifa_cacheinfo.Read(v);
                        preferred = ci.ifa_prefered;
                        valid = ci.ifa_valid;
                    }
                    break;
            }
            if (!ok) return Bad(counters);
        }
        var primary = local ?? addr;
        if (attrs.IsMalformed || primary is null) return Bad(counters);
        if (primary.AddressFamily == AddressFamily.InterNetworkV6 && primary.IsIPv6LinkLocal)
            primary.ScopeId = ifa.ifa_index;
        var peer = local is not null && addr is not null && !local.Equals(addr) ? addr : null;
        address = new AddressInfo(ifa.ifa_index, primary.AddressFamily, primary, ifa.ifa_prefixlen,
            (AddressFlags)flags, (RouteScope)ifa.ifa_scope, label, peer, brd, preferred, valid);
        return true;
    }

    /// <summary>Parses a route; families other than IPv4/IPv6 (e.g. IPMR multicast routes) yield false without counting.</summary>
    public static bool TryParseRoute(ReadOnlySpan<byte> payload, NetlinkCounters counters, out RouteInfo? route)
    {
        route = null;
        if (payload.Length < rtmsg.Size) return Bad(counters);
        var rtm = rtmsg.Read(payload);
        if (rtm.rtm_family is not (Nl.AF_INET or Nl.AF_INET6)) return false;
        var family = rtm.rtm_family == Nl.AF_INET ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        IPAddress? dst = null, gw = null, prefsrc = null;
        uint table = rtm.rtm_table, oif = 0, prio = 0, nhid = 0;
        var hasPrio = false;
        List<RouteNextHop>? hops = null;
        var attrs = new RtAttributeReader(payload[Nl.Align(rtmsg.Size)..]);
        while (attrs.TryRead(out var type, out var v))
        {
            var ok = true;
            switch (type)
            {
                case Nl.RTA_DST: ok = RtAttributeReader.TryAddress(rtm.rtm_family, v, out dst); break;
                case Nl.RTA_GATEWAY: ok = RtAttributeReader.TryAddress(rtm.rtm_family, v, out gw); break;
                case Nl.RTA_PREFSRC: ok = RtAttributeReader.TryAddress(rtm.rtm_family, v, out prefsrc); break;
                case Nl.RTA_OIF: ok = RtAttributeReader.TryU32(v, out oif); break;
                case Nl.RTA_TABLE: ok = RtAttributeReader.TryU32(v, out table); break;
                case Nl.RTA_PRIORITY: ok = hasPrio = RtAttributeReader.TryU32(v, out prio); break;
                case Nl.RTA_MULTIPATH: ok = TryParseNextHops(rtm.rtm_family, v, out hops); break;
                case Nl.RTA_NH_ID: ok = RtAttributeReader.TryU32(v, out nhid); break;
            }
            if (!ok) return Bad(counters);
        }
        if (attrs.IsMalformed) return Bad(counters);
        dst ??= family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        if (gw is { IsIPv6LinkLocal: true } && oif != 0) gw.ScopeId = oif;
        route = new RouteInfo(family, table, dst, rtm.rtm_dst_len, gw, (int)oif, hasPrio ? prio : null, prefsrc,
            (RouteScope)rtm.rtm_scope, (RouteProtocol)rtm.rtm_protocol, (RouteType)rtm.rtm_type, rtm.rtm_flags,
            (IReadOnlyList<RouteNextHop>?)hops ?? [])
        {
            NextHopId = nhid != 0 ? nhid : null,
        };
        return true;
    }

    /// <summary>An RTM_NEWNEXTHOP payload (nhmsg and NHA_* attributes).</summary>
    public static bool TryParseNextHop(ReadOnlySpan<byte> payload, NetlinkCounters counters, out NextHopInfo? nexthop)
    {
        nexthop = null;
        if (payload.Length < nhmsg.Size) return Bad(counters);
        var nhm = nhmsg.Read(payload);
        var family = nhm.nh_family switch
        {
            Nl.AF_INET => AddressFamily.InterNetwork,
            Nl.AF_INET6 => AddressFamily.InterNetworkV6,
            _ => AddressFamily.Unspecified,
        };
        uint id = 0, oif = 0;
        IPAddress? gw = null;
        var blackhole = false;
        var group = new List<NextHopGroupMember>();
        var attrs = new RtAttributeReader(payload[Nl.Align(nhmsg.Size)..]);
        while (attrs.TryRead(out var type, out var v))
        {
            var ok = true;
            switch (type)
            {
                case Nl.NHA_ID: ok = RtAttributeReader.TryU32(v, out id); break;
                case Nl.NHA_OIF: ok = RtAttributeReader.TryU32(v, out oif); break;
                case Nl.NHA_BLACKHOLE: blackhole = true; break;
                case Nl.NHA_GATEWAY:
                    ok = RtAttributeReader.TryAddress(nhm.nh_family, v, out gw);
                    break;
                case Nl.NHA_GROUP:
                    // struct nexthop_grp { u32 id; u8 weight; u8 weight_high; u16 resvd2; }: weight-1 in 16 bits.
                    if (v.Length % 8 != 0) ok = false;
                    for (var i = 0; ok && i < v.Length; i += 8)
                        group.Add(new NextHopGroupMember(HostOrder.ReadU32(v[i..]), (v[i + 4] | v[i + 5] << 8) + 1));
                    break;
            }
            if (!ok) return Bad(counters);
        }
        if (attrs.IsMalformed || id == 0) return Bad(counters);
        if (gw is { IsIPv6LinkLocal: true } && oif != 0) gw.ScopeId = oif;
        nexthop = new NextHopInfo(id, family, (int)oif, gw, blackhole, (RouteProtocol)nhm.nh_protocol, nhm.nh_flags, group);
        return true;
    }

    private static bool TryParseNextHops(byte family, ReadOnlySpan<byte> v, out List<RouteNextHop>? hops)
    {
        hops = [];
        while (v.Length >= rtnexthop.Size)
        {
            var nh = rtnexthop.Read(v);
            if (nh.rtnh_len < rtnexthop.Size || nh.rtnh_len > v.Length) return false;
            IPAddress? gw = null;
            var attrs = new RtAttributeReader(v[rtnexthop.Size..nh.rtnh_len]);
            while (attrs.TryRead(out var type, out var av))
                if (type == Nl.RTA_GATEWAY && !RtAttributeReader.TryAddress(family, av, out gw)) return false;
            if (attrs.IsMalformed) return false;
            if (gw is { IsIPv6LinkLocal: true }) gw.ScopeId = nh.rtnh_ifindex;
            hops.Add(new RouteNextHop(nh.rtnh_ifindex, gw, nh.rtnh_hops + 1, nh.rtnh_flags));
            v = v[Math.Min(Nl.Align(nh.rtnh_len), v.Length)..];
        }
        return v.IsEmpty;
    }

    /// <summary>Maps one multicast notification to an event; false for types the monitor does not handle.</summary>
    public static bool TryParseEvent(in nlmsghdr header, ReadOnlySpan<byte> payload, NetlinkCounters counters, out RtNetlinkEvent? ev)
    {
        ev = null;
        var change = (header.nlmsg_type & 1) == 0 ? RtNetlinkChange.New : RtNetlinkChange.Deleted;
        switch (header.nlmsg_type)
        {
            case Nl.RTM_NEWLINK or Nl.RTM_DELLINK:
                // The bridge module also sends AF_BRIDGE port notifications to this group; they lack
                // carrier and would read as half a link. Only AF_UNSPEC messages describe the device.
                if (payload.Length > 0 && payload[0] != Nl.AF_UNSPEC) break;
                if (TryParseLink(payload, counters, out var l)) ev = new LinkEvent(change, l!);
                break;
            case Nl.RTM_NEWADDR or Nl.RTM_DELADDR:
                if (TryParseAddress(payload, counters, out var a)) ev = new AddressEvent(change, a!);
                break;
            case Nl.RTM_NEWROUTE or Nl.RTM_DELROUTE:
                if (TryParseRoute(payload, counters, out var r)) ev = new RouteEvent(change, r!);
                break;
            default:
                counters.Unexpected();
                break;
        }
        return ev is not null;
    }

    /// <summary>
    /// Reads an NLMSG_ERROR payload: the (negative) errno and, with NLM_F_ACK_TLVS, the NLMSGERR_ATTR_MSG text.
    /// </summary>
    public static bool TryParseError(in nlmsghdr header, ReadOnlySpan<byte> payload, NetlinkCounters counters,
        out int errno, out string? message)
    {
        errno = 0;
        message = null;
        if (payload.Length < 4) return Bad(counters);
        errno = -HostOrder.ReadI32(payload);
        if ((header.nlmsg_flags & Nl.NLM_F_ACK_TLVS) == 0) return true;
        // The TLVs follow the echoed request: just its header when capped, else the whole request.
        var tlvStart = 4;
        if (header.nlmsg_type == Nl.NLMSG_ERROR)
        {
            if (payload.Length < nlmsgerr.Size) return true;
            var echoed = nlmsgerr.Read(payload).msg;
            tlvStart = (header.nlmsg_flags & Nl.NLM_F_CAPPED) != 0
                ? nlmsgerr.Size
                : 4 + Nl.Align((int)Math.Min(echoed.nlmsg_len, (uint)payload.Length));
        }
        if (tlvStart >= payload.Length) return true;
        var attrs = new RtAttributeReader(payload[tlvStart..]);
        while (attrs.TryRead(out var type, out var v))
            if (type == Nl.NLMSGERR_ATTR_MSG) message = RtAttributeReader.ReadString(v);
        return true;
    }

    private static bool Bad(NetlinkCounters counters)
    {
        counters.Malformed();
        return false;
    }
}
