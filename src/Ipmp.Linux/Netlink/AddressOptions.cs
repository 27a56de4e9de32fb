using System.Net;

namespace Ipmp.Linux.Netlink;

/// <summary>How <see cref="RtNetlinkClient.AddAddressAsync"/> configures a new address.</summary>
public sealed record AddressOptions
{
    /// <summary>Preferred lifetime 0 (IFA_F_DEPRECATED): never chosen as a source by default (an IPMP test address).</summary>
    public bool Deprecated { get; init; }

    /// <summary>IFA_F_NODAD (IPv6): usable at once, no duplicate address detection.</summary>
    public bool NoDad { get; init; }

    /// <summary>IFA_F_NOPREFIXROUTE: do not add the connected route for the prefix.</summary>
    public bool NoPrefixRoute { get; init; }

    /// <summary>IFA_LABEL (IPv4 only); the kernel requires it to start with the interface name.</summary>
    public string? Label { get; init; }

    /// <summary>IFA_BROADCAST (IPv4 only).</summary>
    public IPAddress? Broadcast { get; init; }

    /// <summary>Seconds; null = forever (or 0 when <see cref="Deprecated"/>).</summary>
    public uint? PreferredLifetime { get; init; }

    /// <summary>Seconds; null = forever.</summary>
    public uint? ValidLifetime { get; init; }

    /// <summary>NLM_F_REPLACE instead of NLM_F_EXCL: update an existing address instead of failing with EEXIST.</summary>
    public bool Replace { get; init; }

    public static AddressOptions Default { get; } = new();
}
