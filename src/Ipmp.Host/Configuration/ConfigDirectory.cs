using Ipmp.Core.Configuration;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Loads the daemon's configuration directory (default <see cref="DefaultPath"/>):
/// <list type="bullet">
/// <item><c>mpathd</c>: the keys of Solaris /etc/default/mpathd, read with the illumos defread() rules.</item>
/// <item><c>hostname.&lt;if&gt;</c> / <c>hostname6.&lt;if&gt;</c>: Solaris ifconfig lines for an interface
/// (IPv4 / IPv6), members of groups or a group's IPMP interface.</item>
/// </list>
/// The loader never looks at the running system: an interface that does not exist is not an error here.
/// Any <see cref="DiagnosticSeverity.Error"/> makes <see cref="ConfigLoadResult.Config"/> null so the
/// daemon can keep its last good configuration.
/// </summary>
public static class ConfigDirectory
{
    public const string DefaultPath = "/etc/ipmp";
    public const string MpathdFileName = "mpathd";

    /// <summary>Reads every regular file at the top of <paramref name="path"/> and parses them together.</summary>
    public static ConfigLoadResult Load(string path)
    {
        var diagnostics = new DiagnosticBag();
        if (!Directory.Exists(path))
        {
            diagnostics.Error(path, 0, "configuration directory does not exist");
            return new ConfigLoadResult(null, diagnostics.ToSortedList());
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fullPath in Directory.EnumerateFiles(path).Order(StringComparer.Ordinal))
        {
            try
            {
                files[Path.GetFileName(fullPath)] = File.ReadAllText(fullPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                diagnostics.Error(fullPath, 0, $"cannot read: {e.Message}");
            }
        }
        return Parse(files, name => Path.Combine(path, name), diagnostics);
    }

    /// <summary>
    /// Parses configuration files given as file name → content, without touching the file system.
    /// Diagnostics name the files by the keys given.
    /// </summary>
    public static ConfigLoadResult Parse(IReadOnlyDictionary<string, string> files) =>
        Parse(files, name => name, new DiagnosticBag());

    private static ConfigLoadResult Parse(
        IReadOnlyDictionary<string, string> files, Func<string, string> displayName, DiagnosticBag diagnostics)
    {
        var settings = files.TryGetValue(MpathdFileName, out var mpathd)
            ? MpathdSettingsParser.Parse(displayName(MpathdFileName), mpathd, diagnostics)
            : DaemonSettings.Default;

        var hostnameFiles = new List<HostnameFile>();
        foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (name == MpathdFileName) continue;
            if (!HostnameFileName.IsHostnameFile(name))
            {
                diagnostics.Info(displayName(name), 0,
                    $"ignored: not '{MpathdFileName}', '{HostnameFileName.V4Prefix}<if>' or '{HostnameFileName.V6Prefix}<if>'");
                continue;
            }
            if (HostnameFileName.TryParse(name, out var problem) is not { } fileName)
            {
                diagnostics.Error(displayName(name), 0, problem!);
                continue;
            }
            hostnameFiles.Add(HostnameFileParser.Parse(fileName, displayName(name), content, diagnostics));
        }

        var config = ConfigAssembler.Assemble(settings, hostnameFiles, diagnostics);
        return new ConfigLoadResult(diagnostics.HasErrors ? null : config, diagnostics.ToSortedList());
    }
}
