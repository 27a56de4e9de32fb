using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Ipmp.Core.Model;

/// <summary>An IP address with its prefix length, as configured on an interface (e.g. 10.0.0.10/24).</summary>
public readonly record struct IpPrefix(IPAddress Address, int PrefixLength)
{
    public AddressFamily Family => Address.AddressFamily;
    public bool IsV6 => Address.AddressFamily == AddressFamily.InterNetworkV6;
    public int MaxLength => IsV6 ? 128 : 32;

    public static IpPrefix Host(IPAddress address) =>
        new(address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);

    /// <summary>Parses "addr/len" or a bare address (a host prefix).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IpPrefix? prefix)
    {
        prefix = null;
        var slash = text.IndexOf('/');
        var addrText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addrText, out var address)) return false;
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)) return false;
        var max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out length) || length < 0 || length > max))
            return false;
        prefix = new IpPrefix(address, length);
        return true;
    }

    public static IpPrefix Parse(string text) =>
        TryParse(text, out var p) ? p.Value : throw new FormatException($"not an address or prefix: '{text}'");

    /// <summary>True when <paramref name="other"/> lies inside this prefix's subnet.</summary>
    public bool Contains(IPAddress other)
    {
        if (other.AddressFamily != Address.AddressFamily) return false;
        Span<byte> a = stackalloc byte[16];
        Span<byte> b = stackalloc byte[16];
        Address.TryWriteBytes(a, out var n);
        other.TryWriteBytes(b, out _);
        var bits = PrefixLength;
        for (var i = 0; i < n && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? (byte)0xFF : (byte)(0xFF << (8 - bits));
            if ((a[i] & mask) != (b[i] & mask)) return false;
        }
        return true;
    }

    public override string ToString() => $"{Address}/{PrefixLength}";
}
