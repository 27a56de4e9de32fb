using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Recognises an address word ("10.0.0.10", "10.0.0.10/24", "2001:db8::10/64").
/// <para>Stricter than <see cref="IPAddress.TryParse(string, out IPAddress)"/> on purpose: IPv4 must be a
/// dotted quad, so a stray number ("1500" after a forgotten <c>mtu</c>) or "10.1" is not silently taken as
/// an address; IPv6 scope ids ("%eth0") are refused because a configured address has no scope.</para>
/// <para>Host names are not resolved: the loader must not depend on the resolver at boot.</para>
/// </summary>
internal static partial class AddressToken
{
    public enum Kind
    {
        /// <summary>Does not look like an address at all (probably a keyword or a host name).</summary>
        NotAnAddress,
        /// <summary>Looks like an address but is malformed; <see cref="Parsed.Problem"/> says how.</summary>
        Malformed,
        Valid,
    }

    /// <param name="PrefixLength">The "/len" part, null when absent.</param>
    public sealed record Parsed(Kind Kind, IPAddress? Address, int? PrefixLength, string? Problem)
    {
        public bool IsV6 => Address?.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>True when the word is shaped like an address (so errors can say "bad address" not "unknown keyword").</summary>
    public static bool LooksLikeAddress(string word) => word.Contains(':') || DottedStart().IsMatch(word);

    public static Parsed Parse(string word)
    {
        if (!LooksLikeAddress(word)) return new Parsed(Kind.NotAnAddress, null, null, null);

        var slash = word.IndexOf('/');
        var addressText = slash < 0 ? word : word[..slash];
        var isV6 = addressText.Contains(':');

        if (addressText.Contains('%'))
            return Bad($"'{word}' has a scope id; expected an address without '%'");
        if (!isV6 && !DottedQuad().IsMatch(addressText))
            return Bad($"'{word}' is not a dotted-quad IPv4 address (expected a.b.c.d)");
        if (!IPAddress.TryParse(addressText, out var address) ||
            address.AddressFamily != (isV6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
            return Bad($"'{word}' is not a valid {(isV6 ? "IPv6" : "IPv4")} address");

        int? prefix = null;
        if (slash >= 0)
        {
            var max = isV6 ? 128 : 32;
            var lengthText = word[(slash + 1)..];
            if (!PrefixDigits().IsMatch(lengthText) || !int.TryParse(lengthText, out var length) || length > max)
                return Bad($"'{word}' has a bad prefix length; expected /0 to /{max}");
            prefix = length;
        }
        return new Parsed(Kind.Valid, address, prefix, null);

        static Parsed Bad(string problem) => new(Kind.Malformed, null, null, problem);
    }

    /// <summary>Digits and dots from the start: an IPv4 address attempt, possibly malformed ("10.0.0.300").</summary>
    [GeneratedRegex(@"^[0-9]+\.[0-9.]*(/.*)?$")]
    private static partial Regex DottedStart();

    [GeneratedRegex(@"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$")]
    private static partial Regex DottedQuad();

    [GeneratedRegex(@"^[0-9]{1,3}$")]
    private static partial Regex PrefixDigits();
}
