using System.Net;

namespace Ipmp.Host.Configuration;

/// <summary>
/// One logical address being built up while a hostname file is read: the interface's own (first) address,
/// or one created by <c>addif</c>. Flags follow the ifconfig keywords that came after it.
/// </summary>
internal sealed class ConfiguredAddress(bool isPrimary, int line)
{
    /// <summary>The slot the file itself names (ce0 for hostname.ce0, ce0:1 for hostname.ce0:1), which a bare
    /// address on any line sets; false for <c>addif</c> addresses.</summary>
    public bool IsPrimary { get; } = isPrimary;

    /// <summary>Where the address (or, for the primary slot, the first keyword about it) was written.</summary>
    public int Line { get; set; } = line;

    public IPAddress? Address { get; set; }

    /// <summary>From "/len" or <c>netmask</c>, whichever came last; null means "use the default".</summary>
    public int? PrefixLength { get; set; }

    /// <summary>Last of <c>up</c>/<c>down</c>; null when neither was given (Solaris then leaves it down).</summary>
    public bool? Up { get; set; }

    public int UpDownLine { get; set; }

    public bool Deprecated { get; set; }

    /// <summary><c>-failover</c>: a test address (NOFAILOVER), which never moves to another interface.</summary>
    public bool NoFailover { get; set; }

    public int NoFailoverLine { get; set; }
}
