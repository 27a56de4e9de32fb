using Ipmp.Core.Configuration;
using Ipmp.Linux.Files;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Loads the daemon's configuration directory (default <see cref="DefaultPath"/>):
/// <list type="bullet">
/// <item><c>mpathd</c>: the keys of Solaris /etc/default/mpathd, read with the illumos defread() rules.</item>
/// <item><c>hostname.&lt;if&gt;</c> / <c>hostname6.&lt;if&gt;</c>: Solaris ifconfig lines for an interface
/// (IPv4 / IPv6), members of groups or a group's IPMP interface.</item>
/// </list>
/// Nothing else is read: hidden files (<c>.hostname.eth0.swp</c>) are passed over in silence, backups of editors
/// and package managers (<c>hostname.eth0~</c>, <c>hostname.eth0.orig</c>, <c>mpathd.dpkg-old</c>, ...) and other
/// names with an info note, directories of other names in silence, and a configuration name that is not a
/// regular file (a socket, a FIFO, a directory, a device, a symbolic link to one of these or to nothing) with a
/// warning: none of them is an error, so a stray socket never keeps the daemon from starting or reloading.
/// A symbolic link to a regular file is read.
/// The loader never looks at the running system: an interface that does not exist is not an error here.
/// Any <see cref="DiagnosticSeverity.Error"/> makes <see cref="ConfigLoadResult.Config"/> null so the
/// daemon can keep its last good configuration.
/// </summary>
public static class ConfigDirectory
{
    public const string DefaultPath = "/etc/ipmp";
    public const string MpathdFileName = "mpathd";

    /// <summary>Reads <c>mpathd</c> and the hostname files at the top of <paramref name="path"/> and parses them together.</summary>
    public static ConfigLoadResult Load(string path)
    {
        var diagnostics = new DiagnosticBag();
        if (!Directory.Exists(path))
        {
            diagnostics.Error(path, 0, "configuration directory does not exist");
            return new ConfigLoadResult(null, diagnostics.ToSortedList());
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var fullPath in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
        {
            var kind = Classify(Path.GetFileName(fullPath));
            if (kind is not (FileKind.Mpathd or FileKind.Hostname))
            {
                // Directories of other names (an "examples" or "old" directory) go without a word.
                if (kind != FileKind.Other || !Directory.Exists(fullPath)) NoteSkipped(kind, fullPath, diagnostics);
                continue;
            }
            UnixFileType? type;
            try
            {
                type = UnixFile.TypeOf(fullPath);
            }
            catch (IOException e)
            {
                diagnostics.Error(fullPath, 0, $"cannot read: {e.Message}");
                continue;
            }
            if (type != UnixFileType.Regular)
            {
                var what = type switch
                {
                    null => "a symbolic link to nothing",
                    UnixFileType.Directory => "a directory",
                    UnixFileType.Socket => "a socket",
                    UnixFileType.Fifo => "a FIFO",
                    UnixFileType.CharacterDevice or UnixFileType.BlockDevice => "a device",
                    _ => "of an unknown type",
                };
                var link = type is not null && UnixFile.TypeOf(fullPath, followSymlinks: false) == UnixFileType.SymbolicLink ? "a symbolic link to " : "";
                diagnostics.Warning(fullPath, 0, $"ignored: not a regular file but {link}{what}");
                continue;
            }
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

    private enum FileKind
    {
        Mpathd,
        Hostname,
        /// <summary>A dot file: editors' swap and lock files, hidden on purpose.</summary>
        Hidden,
        /// <summary>A copy an editor, patch or a package manager left beside the real file.</summary>
        Backup,
        Other,
    }

    private static readonly string[] BackupSuffixes =
    [
        "~", ".bak", ".old", ".orig", ".rej", ".save", ".swp", ".swo", ".tmp",
        ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-tmp", ".dpkg-bak", ".rpmnew", ".rpmsave", ".rpmorig",
    ];

    /// <summary>
    /// What a name in the directory is, before anything is read. Backup names are recognised before hostname
    /// files: <c>eth0~</c> and <c>eth0.orig</c> would be legal Linux interface names, but nobody means them.
    /// </summary>
    private static FileKind Classify(string name)
    {
        if (name.StartsWith('.')) return FileKind.Hidden;
        if (BackupSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase))
            || name.Contains(".ucf-", StringComparison.Ordinal)
            || (name.Length > 1 && name.StartsWith('#') && name.EndsWith('#')))
            return FileKind.Backup;
        if (name == MpathdFileName) return FileKind.Mpathd;
        return HostnameFileName.IsHostnameFile(name) ? FileKind.Hostname : FileKind.Other;
    }

    /// <summary>A dot file or a backup copy by its name (also skipped in <c>notify.d</c>).</summary>
    internal static bool IsHiddenOrBackup(string name) => Classify(name) is FileKind.Hidden or FileKind.Backup;

    private static void NoteSkipped(FileKind kind, string file, DiagnosticBag diagnostics)
    {
        switch (kind)
        {
            case FileKind.Backup:
                diagnostics.Info(file, 0, "ignored: a backup copy (editor or package manager)");
                break;
            case FileKind.Other:
                diagnostics.Info(file, 0,
                    $"ignored: not '{MpathdFileName}', '{HostnameFileName.V4Prefix}<if>' or '{HostnameFileName.V6Prefix}<if>'");
                break;
        }
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
            var kind = Classify(name);
            if (kind == FileKind.Mpathd) continue;
            if (kind != FileKind.Hostname)
            {
                NoteSkipped(kind, displayName(name), diagnostics);
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
