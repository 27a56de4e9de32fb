using Ipmp.Core.Model;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Prefix lengths for addresses written without "/len" or with <c>netmask +</c>.
/// <para>Solaris looks <c>netmask +</c> up in /etc/netmasks and falls back to the classful mask. The loader
/// reads no netmasks database, and the classful mask (/8 for 10.x.x.x) is rarely what anyone means today,
/// so IPv4 defaults to /24 (which is also what the classful rule gives for the usual 192.168.x.x examples).
/// IPv6 defaults to /64, the Solaris ifconfig default. An explicit "/len" or dotted/hex netmask always wins.</para>
/// </summary>
internal static class AddressDefaults
{
    public const int V4PrefixLength = 24;
    public const int V6PrefixLength = 64;

    public static IpPrefix ToPrefix(ConfiguredAddress address) =>
        new(address.Address!, address.PrefixLength ??
            (address.Address!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? V6PrefixLength : V4PrefixLength));
}
