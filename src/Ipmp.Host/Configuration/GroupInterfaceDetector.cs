namespace Ipmp.Host.Configuration;

/// <summary>
/// Decides which interfaces are IPMP (group) interfaces rather than members. Explicit: a file says
/// <c>ipmp</c>. Implicit: the interface's name is a group that other interfaces' files join, and its own
/// files name no group at all (so hostname.ipmp0 holding only "10.0.0.100/24 up" next to members with
/// "group ipmp0" is read as Solaris 11 meant it). A file with <c>group X</c> and no <c>ipmp</c> is a
/// member, as it is in Solaris, even when X happens to be its own name.
/// </summary>
internal static class GroupInterfaceDetector
{
    public static HashSet<string> Detect(IReadOnlyList<InterfaceFiles> interfaces, DiagnosticBag diagnostics)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var candidate in interfaces)
        {
            if (candidate.HasIpmpKeyword)
            {
                result.Add(candidate.Interface);
                continue;
            }
            if (candidate.NamedGroups.Any()) continue;

            var joiner = interfaces
                .Where(other => other.Interface != candidate.Interface && !other.HasIpmpKeyword)
                .SelectMany(other => other.NamedGroups)
                .FirstOrDefault(g => g.Group == candidate.Interface);
            if (joiner.File is null) continue;

            result.Add(candidate.Interface);
            diagnostics.Info(candidate.MainFile.DisplayName, 0,
                $"{candidate.Interface} is taken as the IPMP interface of group {candidate.Interface} because {joiner.File.DisplayName}:{joiner.Line} puts an interface in that group (write 'ipmp' to say so)");
        }
        return result;
    }
}
