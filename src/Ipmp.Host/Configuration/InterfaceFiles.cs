namespace Ipmp.Host.Configuration;

/// <summary>
/// All hostname files that configure one interface, in Solaris boot order: IPv4 before IPv6, and within a
/// family the interface's own file before its logical-interface files. "Last one wins" rules follow it.
/// </summary>
internal sealed record InterfaceFiles(string Interface, IReadOnlyList<HostnameFile> Files)
{
    public static IReadOnlyList<InterfaceFiles> GroupByInterface(IEnumerable<HostnameFile> files) =>
        files.GroupBy(f => f.Name.Interface, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new InterfaceFiles(g.Key, g
                .OrderBy(f => f.Name.Family)
                .ThenBy(f => f.Name.LogicalUnit ?? 0)
                .ToList()))
            .ToList();

    public bool HasIpmpKeyword => Files.Any(f => f.IpmpLine > 0);

    /// <summary>The non-empty group names the files give, with where they were given.</summary>
    public IEnumerable<(string Group, HostnameFile File, int Line)> NamedGroups =>
        Files.Where(f => !string.IsNullOrEmpty(f.Group)).Select(f => (f.Group!, f, f.GroupLine));

    /// <summary>The file that best represents the interface in whole-interface diagnostics.</summary>
    public HostnameFile MainFile => Files[0];
}
