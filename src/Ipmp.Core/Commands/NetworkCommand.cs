using System.Collections.Immutable;
using System.Net;
using Ipmp.Core.Model;

namespace Ipmp.Core.Commands;

/// <summary>Something the engine asks the network (kernel or simulator) to do.</summary>
public abstract record NetworkCommand;

public enum AddressRole
{
    /// <summary>A data address: used by applications, moves between members.</summary>
    Data,
    /// <summary>A test address: deprecated (never chosen as a source), never moves.</summary>
    Test,
}

public sealed record AddAddress(string Interface, IpPrefix Address, AddressRole Role) : NetworkCommand;

public sealed record RemoveAddress(string Interface, IpPrefix Address) : NetworkCommand;

/// <summary>Tell the link that <paramref name="Address"/> now lives on <paramref name="Interface"/>:
/// gratuitous ARP for IPv4, unsolicited neighbour advertisement for IPv6.</summary>
public sealed record AnnounceAddress(string Interface, IPAddress Address) : NetworkCommand;

/// <summary>Send one ICMP echo request from a test address out of one interface.</summary>
/// <param name="Icmp">The whole ICMP message; the IPv4 checksum is filled in, the IPv6 one is left to the kernel.</param>
public sealed record SendProbe(string Interface, IPAddress Source, IPAddress Destination, ReadOnlyMemory<byte> Icmp)
    : NetworkCommand
{
    /// <summary>The echo sequence number (bytes 6-7 of the ICMP header).</summary>
    public ushort Sequence => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(Icmp.Span[6..]);
}

/// <summary>Prepare a new member so that it answers only for its own addresses (arp_ignore/arp_announce).</summary>
public sealed record PrepareMember(string Interface) : NetworkCommand;

/// <summary>The members that carry a group's outbound traffic changed (for load spreading).</summary>
public sealed record SetOutboundMembers(string Group, ImmutableArray<string> Members) : NetworkCommand;

/// <summary>Send one transitive probe: a link-layer frame (<see cref="Probing.TransitiveFrame"/>) out of
/// <paramref name="Interface"/>, unicast to member <paramref name="Peer"/>'s MAC, which the network answers back
/// from there (the daemon's responder on that member). No IP, so no neighbour learns anything from it.</summary>
public sealed record SendTransitiveProbe(string Interface, string Peer, System.Net.NetworkInformation.PhysicalAddress PeerMac,
    ReadOnlyMemory<byte> Frame) : NetworkCommand
{
    public ushort Sequence => Probing.TransitiveFrame.SequenceOf(Frame.Span);
}

/// <summary>Answer transitive probes sent to <paramref name="Interface"/> (its MAC), or stop: every member of a
/// named group answers while TRANSITIVE_PROBING is on, since any of them may come to probe with ICMP.</summary>
public sealed record ListenTransitive(string Interface, bool On) : NetworkCommand;
