namespace Ipmp.Host.Configuration;

/// <summary>
/// What one hostname file asked for, before files are combined. Interface-wide settings are tri-state:
/// null when the file does not mention them, so hostname and hostname6 can be merged and compared.
/// </summary>
internal sealed class HostnameFile(HostnameFileName name, string displayName)
{
    public HostnameFileName Name { get; } = name;

    /// <summary>The file as diagnostics name it.</summary>
    public string DisplayName { get; } = displayName;

    /// <summary>Line of the <c>ipmp</c> keyword (this is a group's IPMP interface), 0 when absent.</summary>
    public int IpmpLine { get; set; }

    /// <summary>Last <c>group</c> value; "" for an explicit <c>group ""</c> (no group), null when not given.</summary>
    public string? Group { get; set; }

    public int GroupLine { get; set; }

    public bool? Standby { get; set; }

    public int StandbyLine { get; set; }

    /// <summary>All address slots in file order, including a primary slot with no address.</summary>
    public List<ConfiguredAddress> Addresses { get; } = [];
}
