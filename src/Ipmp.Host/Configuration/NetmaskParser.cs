using System.Buffers.Binary;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Ipmp.Host.Configuration;

/// <summary>
/// The value of <c>netmask</c>: dotted ("255.255.255.0") or hexadecimal with 0x ("0xffffff00"), both of which
/// Solaris ifconfig accepts. <c>+</c> is handled by the caller (it means "use the default", see
/// <see cref="HostnameFileParser"/>).
/// </summary>
internal static partial class NetmaskParser
{
    /// <summary>The prefix length of a contiguous mask; null with <paramref name="problem"/> otherwise.</summary>
    public static int? TryParse(string text, out string? problem)
    {
        problem = null;
        uint mask;
        if (HexMask().IsMatch(text))
        {
            mask = Convert.ToUInt32(text[2..], 16);
        }
        else if (AddressToken.Parse(text) is { Kind: AddressToken.Kind.Valid, IsV6: false, PrefixLength: null } parsed)
        {
            Span<byte> bytes = stackalloc byte[4];
            parsed.Address!.TryWriteBytes(bytes, out _);
            mask = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        }
        else
        {
            problem = $"expected a netmask (a.b.c.d, 0xhhhhhhhh or '+') after 'netmask', found '{text}'";
            return null;
        }

        var length = BitOperations.LeadingZeroCount(~mask);
        if (length < 32 && mask << length != 0)
        {
            problem = $"netmask '{text}' is not contiguous (ones followed by zeros)";
            return null;
        }
        return length;
    }

    [GeneratedRegex(@"^0[xX][0-9a-fA-F]{1,8}$")]
    private static partial Regex HexMask();
}
