using System.Net;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>One RTM_NEWADDR/RTM_DELADDR, decoded.</summary>
/// <param name="Address">IFA_LOCAL when present (IPv4, and IPv6 with a peer), else IFA_ADDRESS.</param>
/// <param name="Peer">The other end of a point-to-point address (IFA_ADDRESS differing from IFA_LOCAL).</param>
/// <param name="Flags">IFA_FLAGS when present (it carries the bits above 0xff), else ifa_flags.</param>
/// <param name="PreferredLifetime">Seconds left, from IFA_CACHEINFO; <see cref="Infinite"/> = forever; 0 = deprecated.</param>
/// <param name="ValidLifetime">Seconds left; <see cref="Infinite"/> = forever.</param>
public sealed record AddressInfo(
    int InterfaceIndex,
    AddressFamily Family,
    IPAddress Address,
    int PrefixLength,
    AddressFlags Flags,
    RouteScope Scope,
    string? Label,
    IPAddress? Peer,
    IPAddress? Broadcast,
    uint PreferredLifetime,
    uint ValidLifetime)
{
    public const uint Infinite = uint.MaxValue;

    public bool IsDeprecated => (Flags & AddressFlags.Deprecated) != 0;
    public bool IsTentative => (Flags & AddressFlags.Tentative) != 0;
    public bool IsNoDad => (Flags & AddressFlags.NoDad) != 0;
    public bool IsDadFailed => (Flags & AddressFlags.DadFailed) != 0;

    public override string ToString() => $"{InterfaceIndex}: {Address}/{PrefixLength} {Flags} scope {Scope}";
}
