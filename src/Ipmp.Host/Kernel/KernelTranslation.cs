using System.Collections.Immutable;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Core.Status;
using CoreEvents = Ipmp.Core.Events;
using Nl = Ipmp.Linux.Netlink;

namespace Ipmp.Host.Kernel;

/// <summary>Turns rtnetlink's view into the engine's events.</summary>
public static class KernelTranslation
{
    /// <summary>Carrier from IFF_LOWER_UP; "unknown" when the driver does not report it (operstate UNKNOWN,
    /// as dummy devices and some virtual NICs show), the Linux stand-in for illumos' missing DLPI notes.</summary>
    public static CoreEvents.LinkInfo Link(Nl.LinkInfo l)
    {
        var state = !l.IsUp ? LinkState.Down
            : l.OperState == Nl.OperationalState.Unknown ? LinkState.Unknown
            : l.IsLowerUp ? LinkState.Up
            : LinkState.Down;
        return new CoreEvents.LinkInfo(l.Name, l.Index, l.HardwareAddress ?? PhysicalAddress.None, l.IsUp, state,
            l.IsMulticast, l.IsLoopback, l.IsPointToPoint, (l.Flags & Nl.InterfaceFlags.NoArp) != 0, l.LinkType);
    }

    /// <summary>Tentative (DAD running) and DAD-failed addresses cannot be used yet: they are left out and
    /// reported when the kernel announces them usable.</summary>
    public static bool Usable(Nl.AddressInfo a) => !a.IsTentative && !a.IsDadFailed;

    public static CoreEvents.AddressInfo? Address(Nl.AddressInfo a, KernelView view) =>
        view.NameOf(a.InterfaceIndex) is { } name
            ? new CoreEvents.AddressInfo(name, new IpPrefix(WithoutScope(a.Address), a.PrefixLength), a.IsDeprecated)
            : null;

    /// <summary>
    /// The engine names link-local addresses without a scope: every probe socket is bound to its NIC, and
    /// a target found through one member is the same neighbour for all of them (fe80::1%3 and fe80::1%4 are
    /// one router).
    /// </summary>
    public static System.Net.IPAddress WithoutScope(System.Net.IPAddress a) =>
        a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId != 0 ? new System.Net.IPAddress(a.GetAddressBytes()) : a;

    /// <summary>Unicast routes of every table but the local one; a multipath route gives one entry per next hop.</summary>
    public static ImmutableArray<CoreEvents.RouteInfo> Routes(IEnumerable<Nl.RouteInfo> routes, AddressFamily family, KernelView view)
    {
        var list = ImmutableArray.CreateBuilder<CoreEvents.RouteInfo>();
        foreach (var r in routes)
        {
            if (r.Family != family || r.Type != Nl.RouteType.Unicast || r.Table == Nl.RouteInfo.LocalTable) continue;
            var dst = new IpPrefix(r.Destination, r.DestinationPrefixLength);
            if (r.NextHops.Count > 0)
            {
                foreach (var nh in r.NextHops)
                    list.Add(new CoreEvents.RouteInfo(dst, nh.Gateway is { } g ? WithoutScope(g) : null, view.NameOf(nh.InterfaceIndex)));
            }
            else
            {
                list.Add(new CoreEvents.RouteInfo(dst, r.Gateway is { } g ? WithoutScope(g) : null, view.NameOf(r.OutputInterface)));
            }
        }
        return list.ToImmutable();
    }
}
