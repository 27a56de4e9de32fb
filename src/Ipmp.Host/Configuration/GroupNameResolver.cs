namespace Ipmp.Host.Configuration;

/// <summary>
/// The one group an interface is in. On illumos the group belongs to the IP interface as a whole, so
/// hostname.ce0 and hostname6.ce0 (and any ce0:N files) must not name different groups. A file that names
/// no group simply agrees with the others.
/// </summary>
internal static class GroupNameResolver
{
    /// <summary>The group named by the files, null when none names one. Disagreement is an error.</summary>
    public static string? Resolve(InterfaceFiles files, DiagnosticBag diagnostics)
    {
        string? group = null;
        HostnameFile? firstFile = null;
        var firstLine = 0;
        foreach (var (name, file, line) in files.NamedGroups)
        {
            if (group is null)
            {
                (group, firstFile, firstLine) = (name, file, line);
            }
            else if (name != group)
            {
                diagnostics.Error(file.DisplayName, line,
                    $"interface {files.Interface} is put in group '{name}' here but in group '{group}' at {firstFile!.DisplayName}:{firstLine}; an interface can be in one group only");
            }
        }
        return group;
    }
}
