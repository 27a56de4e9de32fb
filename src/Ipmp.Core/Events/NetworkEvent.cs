using System.Collections.Immutable;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Events;

/// <summary>Something the network (kernel or simulator) tells the engine.</summary>
public abstract record NetworkEvent;

/// <summary>What is known of one link (network interface) right now.</summary>
/// <param name="AdminUp">IFF_UP.</param>
/// <param name="Link">Carrier: up/down, or unknown when the driver does not report it.</param>
/// <param name="Multicast">IFF_MULTICAST; interfaces without it are never tracked (as in illumos).</param>
/// <param name="NoArp">IFF_NOARP: the link resolves no neighbours, so an address cannot move to it.</param>
/// <param name="LinkType">The media type, ifi_type (an ARPHRD_* value: <see cref="LinkTypes"/>); all members
/// of a group must share it.</param>
public sealed record LinkInfo(
    string Name,
    int Index,
    PhysicalAddress Mac,
    bool AdminUp,
    LinkState Link,
    bool Multicast = true,
    bool Loopback = false,
    bool PointToPoint = false,
    bool NoArp = false,
    ushort LinkType = LinkTypes.Ether);

/// <summary>The ARPHRD_* media types of linux/if_arp.h that a port is likely to meet.</summary>
public static class LinkTypes
{
    public const ushort Ether = 1;
    public const ushort Infiniband = 32;
    public const ushort Ppp = 512;
    public const ushort Tunnel = 768;
    public const ushort Tunnel6 = 769;
    public const ushort Loopback = 772;
    public const ushort Sit = 776;
    public const ushort IpGre = 778;
    public const ushort None = 65534;

    /// <summary>"Ethernet (ARPHRD 1)": how a refusal names the media type.</summary>
    public static string Describe(ushort type) => type switch
    {
        Ether => "Ethernet",
        Infiniband => "InfiniBand",
        Ppp => "PPP",
        Tunnel => "IPIP tunnel",
        Tunnel6 => "IPv6-in-IPv6 tunnel",
        Loopback => "loopback",
        Sit => "SIT tunnel",
        IpGre => "GRE tunnel",
        None => "no link layer",
        _ => "media type",
    } + $" (ARPHRD {type})";
}

/// <summary>An address present on a link.</summary>
public sealed record AddressInfo(string Interface, IpPrefix Address, bool Deprecated = false);

/// <summary>A route of the host's routing tables, reduced to what target discovery needs.</summary>
/// <param name="Gateway">The next hop; null for an on-link route.</param>
/// <param name="Interface">The output interface, if the route names one.</param>
public sealed record RouteInfo(IpPrefix Destination, IPAddress? Gateway, string? Interface)
{
    public bool IsHostRoute => Destination.PrefixLength == Destination.MaxLength;
}

/// <summary>A link appeared or changed (flags, carrier, MAC).</summary>
public sealed record LinkObserved(LinkInfo Link) : NetworkEvent;

/// <summary>A link was removed from the system.</summary>
public sealed record LinkRemoved(string Name) : NetworkEvent;

public sealed record AddressObserved(AddressInfo Address) : NetworkEvent;

public sealed record AddressRemoved(string Interface, IpPrefix Address) : NetworkEvent;

/// <summary>The complete routing table of one family (sent at start and whenever routes change).</summary>
public sealed record RoutesObserved(AddressFamily Family, ImmutableArray<RouteInfo> Routes) : NetworkEvent;

/// <summary>
/// A complete picture of links and addresses: at start, and after lost events (netlink ENOBUFS) or a
/// periodic resynchronisation. The engine replaces what it believed with this.
/// </summary>
public sealed record NetworkSnapshot(ImmutableArray<LinkInfo> Links, ImmutableArray<AddressInfo> Addresses) : NetworkEvent;

/// <summary>An ICMP or ICMPv6 message that arrived on a probing interface.</summary>
/// <param name="Icmp">The ICMP message (no IP header).</param>
/// <param name="ReceivedAt">Kernel receive time on the engine clock, when the backend has it.</param>
public sealed record ProbeReplyReceived(
    string Interface,
    IPAddress Source,
    ReadOnlyMemory<byte> Icmp,
    TimeSpan? ReceivedAt) : NetworkEvent;

/// <summary>A probe left (the executor's clock right after sendto, or the kernel's transmit stamp): RTT
/// samples and loss deadlines count from here, on the same clock as the reply's receive stamp.</summary>
public sealed record ProbeSent(ProbeRef Probe, TimeSpan SentAt) : NetworkEvent;

/// <summary>Which probe: the interface, the family (by source address) and the echo sequence number.</summary>
public readonly record struct ProbeRef(string Interface, IPAddress Source, ushort Sequence);

/// <summary>A command could not be carried out (the kernel refused it, or the interface is gone). The
/// engine's belief is put right (an address not added is not there; one not removed still is) and the
/// work is retried after <see cref="Engine.IpmpEngine.CommandRetryDelay"/>, or done elsewhere if the plan
/// has changed meanwhile.</summary>
public sealed record CommandFailed(Commands.NetworkCommand Command, string Error) : NetworkEvent;

/// <summary>A transitive probe left <paramref name="Interface"/> (as <see cref="ProbeSent"/> for ICMP probes).</summary>
public sealed record TransitiveProbeSent(string Interface, ushort Sequence, TimeSpan SentAt) : NetworkEvent;

/// <summary>A transitive reply (a <see cref="Probing.TransitiveFrame"/>) arrived on <paramref name="Interface"/>
/// from the link-layer address <paramref name="From"/>.</summary>
public sealed record TransitiveReplyReceived(string Interface, PhysicalAddress From, ReadOnlyMemory<byte> Frame,
    TimeSpan? ReceivedAt) : NetworkEvent;
