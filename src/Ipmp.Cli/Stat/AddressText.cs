using System.Net;
using System.Net.Sockets;

namespace Ipmp.Cli.Stat;

/// <summary>Numeric address text as inet_ntop/getnameinfo(NI_NUMERICHOST) print it.</summary>
internal static class AddressText
{
    /// <summary>
    /// Dotted quad for IPv4; the RFC 5952 compressed form for IPv6 (<c>fe80::214:4fff:fe21:f0c8</c>).
    /// A scope id is not shown: the daemon reports addresses without one (illumos shows none either).
    /// </summary>
    public static string Numeric(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
            address = new IPAddress(address.GetAddressBytes());
        return address.ToString();
    }
}
