using Ipmp.Core.Configuration;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Combines the parsed hostname files into groups and member interfaces and checks what only the whole set
/// can show: one IPMP interface per group, one group per interface, no address configured twice.
/// Output order is by name, so the same files always give an equal configuration.
/// </summary>
internal static class ConfigAssembler
{
    public static IpmpConfig Assemble(DaemonSettings settings, IReadOnlyList<HostnameFile> files, DiagnosticBag diagnostics)
    {
        var interfaces = InterfaceFiles.GroupByInterface(files);
        var groupInterfaces = GroupInterfaceDetector.Detect(interfaces, diagnostics);

        var uses = new List<AddressUse>();
        var groups = new Dictionary<string, (GroupConfig Config, InterfaceFiles? Files)>(StringComparer.Ordinal);
        var members = new List<InterfaceConfig>();

        foreach (var iface in interfaces)
        {
            if (groupInterfaces.Contains(iface.Interface))
            {
                var builder = new GroupInterfaceBuilder(iface, diagnostics);
                var group = builder.Build();
                uses.AddRange(builder.Uses);
                if (groups.TryGetValue(group.Name, out var existing))
                    diagnostics.Error(iface.MainFile.DisplayName, 0,
                        $"group {group.Name} already has the IPMP interface {existing.Files!.Interface} ({existing.Files.MainFile.DisplayName}); a group has one IPMP interface");
                else
                    groups.Add(group.Name, (group, iface));
            }
            else
            {
                var builder = new MemberInterfaceBuilder(iface, diagnostics);
                members.Add(builder.Build());
                uses.AddRange(builder.Uses);
            }
        }

        // Groups named only by members have no data addresses of their own (the Solaris 10 style).
        foreach (var name in members.Where(m => m.InNamedGroup).Select(m => m.Group!).Distinct())
            if (!groups.ContainsKey(name)) groups.Add(name, (new GroupConfig(name, []), null));

        foreach (var (name, (_, owner)) in groups)
            if (owner is not null && !members.Any(m => m.Group == name))
                diagnostics.Warning(owner.MainFile.DisplayName, 0,
                    $"group {name} has no member interfaces (no hostname file with 'group {name}'), so its addresses have nowhere to go");

        AddressUniquenessCheck.Check(uses, diagnostics);

        return new IpmpConfig(
            settings,
            [.. groups.Values.Select(g => g.Config).OrderBy(g => g.Name, StringComparer.Ordinal)],
            [.. members.OrderBy(m => m.Name, StringComparer.Ordinal)]);
    }
}
