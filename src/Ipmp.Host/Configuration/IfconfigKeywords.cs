namespace Ipmp.Host.Configuration;

/// <summary>The ifconfig words the loader knows, grouped by how it treats them.</summary>
internal static class IfconfigKeywords
{
    /// <summary>Accepted and acted on.</summary>
    public static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "inet", "inet6", "plumb", "ipmp", "up", "down", "deprecated", "-deprecated", "failover", "-failover",
        "standby", "-standby", "group", "addif", "set", "netmask", "broadcast", "mtu",
    };

    /// <summary>
    /// Accepted and ignored: common in Solaris hostname files, but about the link or routing rather than
    /// IPMP, and the loader does not configure links.
    /// </summary>
    public static readonly HashSet<string> IgnoredFlags = new(StringComparer.Ordinal)
    {
        "arp", "-arp", "router", "-router", "trailers", "-trailers",
    };

    /// <summary>Accepted and ignored, taking one argument.</summary>
    public static readonly HashSet<string> IgnoredWithArgument = new(StringComparer.Ordinal) { "metric" };

    /// <summary>
    /// Real ifconfig keywords this loader refuses, named so the error says "not supported" rather than
    /// "unknown". Several would change which addresses may be test addresses (xmit, private) or need a
    /// running system (dhcp), which a file loader cannot honour.
    /// </summary>
    public static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "dhcp", "auto-dhcp", "auto-revarp", "unplumb", "removeif", "destination", "zone", "-zone", "all-zones",
        "token", "addrconf", "-addrconf", "tsrc", "tdst", "encaplimit", "-encaplimit", "thoplimit", "usesrc",
        "ether", "index", "xmit", "-xmit", "private", "-private", "nud", "-nud", "auth_algs", "encr_algs",
        "encr_auth_algs", "subnet", "preferred", "-preferred", "ipsec",
    };

    public static bool IsKnown(string word) =>
        Supported.Contains(word) || IgnoredFlags.Contains(word) || IgnoredWithArgument.Contains(word) ||
        Unsupported.Contains(word);
}
