using System.Collections.Immutable;
using Ipmp.Core.Model;

namespace Ipmp.Core.Configuration;

/// <summary>
/// Everything the operator asked for: daemon settings, groups and member interfaces. Produced by the
/// configuration loader (hostname.&lt;if&gt; files) or built directly by tests and the simulator.
/// </summary>
public sealed record IpmpConfig(
    DaemonSettings Settings,
    ImmutableArray<GroupConfig> Groups,
    ImmutableArray<InterfaceConfig> Interfaces)
{
    public static IpmpConfig Empty { get; } = new(DaemonSettings.Default, [], []);

    public InterfaceConfig? FindInterface(string name) =>
        Interfaces.FirstOrDefault(i => i.Name == name);
}

/// <summary>
/// A named IPMP group. <paramref name="DataAddresses"/> are the addresses configured on the group itself
/// (the Solaris 11 hostname.&lt;ipmp-if&gt; style); they have no home member and are spread over the
/// active members.
/// </summary>
public sealed record GroupConfig(string Name, ImmutableArray<IpPrefix> DataAddresses);

/// <summary>
/// One member interface, from hostname.&lt;if&gt; (IPv4) and hostname6.&lt;if&gt; (IPv6).
/// </summary>
/// <param name="Group">The group name; null or empty: not in a named group.</param>
/// <param name="Standby">Configured with <c>standby</c>.</param>
/// <param name="DataAddresses">Addresses that live on this NIC while it works (their "home"), and move
/// to another member when it fails.</param>
/// <param name="TestAddressV4">The IPv4 test address (<c>deprecated -failover</c>), if any.</param>
/// <param name="ProbeV6">Probe over IPv6 from the interface's link-local address (hostname6 with
/// <c>-failover</c>).</param>
public sealed record InterfaceConfig(
    string Name,
    string? Group,
    bool Standby,
    ImmutableArray<IpPrefix> DataAddresses,
    IpPrefix? TestAddressV4,
    bool ProbeV6)
{
    public bool InNamedGroup => !string.IsNullOrEmpty(Group);
}
