namespace Ipmp.Host.Configuration;

/// <summary>
/// What a file name in the configuration directory means. <c>hostname.ce0</c> configures IPv4 on ce0,
/// <c>hostname6.ce0</c> IPv6; <c>hostname.ce0:1</c> is the Solaris form for one logical address of ce0.
/// </summary>
/// <param name="Interface">The interface the file configures (without any ":N").</param>
/// <param name="LogicalUnit">N of "if:N", or null for the interface itself.</param>
internal sealed record HostnameFileName(string FileName, AddressFamilyKind Family, string Interface, int? LogicalUnit)
{
    /// <summary>Linux IFNAMSIZ is 16 including the NUL.</summary>
    public const int MaxInterfaceNameLength = 15;

    public const string V4Prefix = "hostname.";
    public const string V6Prefix = "hostname6.";

    /// <summary>True for names this loader reads as hostname files (even if the interface part is bad).</summary>
    public static bool IsHostnameFile(string fileName) =>
        fileName.StartsWith(V4Prefix, StringComparison.Ordinal) || fileName.StartsWith(V6Prefix, StringComparison.Ordinal);

    /// <summary>Parses a hostname file name; null with <paramref name="problem"/> when the interface part is unusable.</summary>
    public static HostnameFileName? TryParse(string fileName, out string? problem)
    {
        problem = null;
        var family = fileName.StartsWith(V6Prefix, StringComparison.Ordinal) ? AddressFamilyKind.V6 : AddressFamilyKind.V4;
        var name = fileName[(family == AddressFamilyKind.V6 ? V6Prefix : V4Prefix).Length..];

        int? unit = null;
        var colon = name.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(name.AsSpan(colon + 1), System.Globalization.NumberStyles.None, null, out var n) || n < 1)
            {
                problem = $"'{name}' is not an interface name or if:N logical interface (N >= 1)";
                return null;
            }
            unit = n;
            name = name[..colon];
        }

        // The kernel's rule for link names (dev_valid_name): not empty, not "." or "..", no '/', ':' or blanks.
        if (name.Length == 0 || name is "." or ".." || name.Length > MaxInterfaceNameLength ||
            name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
        {
            problem = $"'{name}' is not a valid interface name (1 to {MaxInterfaceNameLength} characters, no '/', ':' or blanks)";
            return null;
        }
        return new HostnameFileName(fileName, family, name, unit);
    }
}
