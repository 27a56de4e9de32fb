namespace Ipmp.Linux.Sysctl;

/// <summary>IPv4 per-interface settings in /proc/sys/net/ipv4/conf/&lt;if&gt;/ that matter for probing on a shared subnet.</summary>
public enum Ipv4ConfKey
{
    /// <summary>1: answer ARP only for addresses on the receiving interface (stops ARP flux).</summary>
    ArpIgnore,
    /// <summary>2: use the best local address of the outgoing interface as ARP sender.</summary>
    ArpAnnounce,
    /// <summary>1: answer ARP only if the kernel would route the reply out of the receiving interface.</summary>
    ArpFilter,
    /// <summary>0 off, 1 strict, 2 loose reverse-path filtering (strict drops replies arriving on the "wrong" NIC).</summary>
    RpFilter,
    /// <summary>1: create neighbour entries from gratuitous ARP.</summary>
    ArpAccept,
}

/// <summary>IPv6 per-interface settings in /proc/sys/net/ipv6/conf/&lt;if&gt;/.</summary>
public enum Ipv6ConfKey
{
    AcceptDad,
    DadTransmits,
    AcceptRa,
    DisableIpv6,
    Forwarding,
    /// <summary>Whether the kernel creates neighbour entries from unsolicited NAs (Linux 5.18+).</summary>
    AcceptUntrackedNa,
}

/// <summary>
/// Reads and writes per-interface IP sysctls. /proc/sys/net belongs to the network namespace of the
/// calling thread, so call from a thread inside the wanted namespace. Use "all" or "default" as the
/// interface name for the global entries.
/// </summary>
public static class InterfaceSysctl
{
    public const string Root = "/proc/sys/net";

    public static string PathOf(Ipv4ConfKey key, string interfaceName) =>
        $"{Root}/ipv4/conf/{CheckName(interfaceName)}/{Name(key)}";

    public static string PathOf(Ipv6ConfKey key, string interfaceName) =>
        $"{Root}/ipv6/conf/{CheckName(interfaceName)}/{Name(key)}";

    public static int Read(Ipv4ConfKey key, string interfaceName) => ReadInt(PathOf(key, interfaceName));
    public static int Read(Ipv6ConfKey key, string interfaceName) => ReadInt(PathOf(key, interfaceName));
    public static void Write(Ipv4ConfKey key, string interfaceName, int value) => WriteInt(PathOf(key, interfaceName), value);
    public static void Write(Ipv6ConfKey key, string interfaceName, int value) => WriteInt(PathOf(key, interfaceName), value);

    private static string Name(Ipv4ConfKey key) => key switch
    {
        Ipv4ConfKey.ArpIgnore => "arp_ignore",
        Ipv4ConfKey.ArpAnnounce => "arp_announce",
        Ipv4ConfKey.ArpFilter => "arp_filter",
        Ipv4ConfKey.RpFilter => "rp_filter",
        Ipv4ConfKey.ArpAccept => "arp_accept",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    private static string Name(Ipv6ConfKey key) => key switch
    {
        Ipv6ConfKey.AcceptDad => "accept_dad",
        Ipv6ConfKey.DadTransmits => "dad_transmits",
        Ipv6ConfKey.AcceptRa => "accept_ra",
        Ipv6ConfKey.DisableIpv6 => "disable_ipv6",
        Ipv6ConfKey.Forwarding => "forwarding",
        Ipv6ConfKey.AcceptUntrackedNa => "accept_untracked_na",
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
    };

    private static string CheckName(string name)
    {
        // IFNAMSIZ is 16 including the NUL; '/' or "." / ".." would escape the conf directory.
        if (string.IsNullOrEmpty(name) || name.Length > 15 || name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"not an interface name: '{name}'", nameof(name));
        return name;
    }

    /// <summary>Reads a single-integer sysctl file.</summary>
    public static int ReadInt(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Wrap(path, e, "read");
        }
        return int.TryParse(text.AsSpan().Trim(), out var value)
            ? value
            : throw new SysctlException(path, $"not an integer: '{text.Trim()}'");
    }

    /// <summary>Writes a single-integer sysctl file; the kernel validates the value (EINVAL → error).</summary>
    public static void WriteInt(string path, int value)
    {
        try
        {
            // One write(2) of the whole value: sysctl handlers parse per write call.
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
            f.Write(System.Text.Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Wrap(path, e, "write");
        }
    }

    private static SysctlException Wrap(string path, Exception e, string verb) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException =>
            new SysctlException(path, $"cannot {verb}: no such interface or setting in this network namespace", e),
        UnauthorizedAccessException => new SysctlException(path, $"cannot {verb}: permission denied (needs root / CAP_NET_ADMIN)", e),
        _ => new SysctlException(path, $"cannot {verb}: {e.Message}", e),
    };
}
