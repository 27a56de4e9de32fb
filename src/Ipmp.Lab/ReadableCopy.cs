namespace Ipmp.Lab;

/// <summary>
/// A copy of a directory (a build output: the CLI and its assemblies) that every user can read, for running
/// the CLI as another uid (setpriv). The build output itself may lie under a directory only root may enter (a
/// clone in `mktemp -d`, mode 0700): the runtime's realpath() of ipmp.dll then fails with EACCES. The copy goes
/// to a fresh directory in the temporary directory (or /tmp) whose every ancestor others may traverse; files
/// 0644, directories 0755. Deleted on dispose.
/// </summary>
public sealed class ReadableCopy : IDisposable
{
    private const UnixFileMode DirMode = (UnixFileMode)0b111_101_101;
    private const UnixFileMode FileMode = (UnixFileMode)0b110_100_100;

    public string Dir { get; }

    private ReadableCopy(string dir) => Dir = dir;

    /// <summary>Copies <paramref name="source"/> (default: the running program's directory) with its subdirectories.</summary>
    public static ReadableCopy Of(string? source = null)
    {
        source ??= AppContext.BaseDirectory;
        var parent = new[] { Path.GetTempPath(), "/tmp" }.FirstOrDefault(TraversableByOthers)
            ?? throw new InvalidOperationException($"neither {Path.GetTempPath()} nor /tmp can be traversed by other users");
        string dir;
        do dir = Path.Combine(parent, "ipmp-readable-" + Guid.NewGuid().ToString("N")[..12]);
        while (Directory.Exists(dir) || File.Exists(dir));
        Directory.CreateDirectory(dir, DirMode);
        var copy = new ReadableCopy(dir);
        try
        {
            Copy(source, dir);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    public string PathOf(string file) => Path.Combine(Dir, file);

    private static void Copy(string from, string to)
    {
        File.SetUnixFileMode(to, DirMode);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            var target = Path.Combine(to, Path.GetFileName(file));
            File.Copy(file, target);
            File.SetUnixFileMode(target, FileMode);
        }
        foreach (var sub in Directory.EnumerateDirectories(from))
        {
            var target = Path.Combine(to, Path.GetFileName(sub));
            Directory.CreateDirectory(target);
            Copy(sub, target);
        }
    }

    /// <summary>True when a user other than the owner may traverse every directory from the root down to <paramref name="dir"/>.</summary>
    public static bool TraversableByOthers(string dir)
    {
        try
        {
            for (var d = new DirectoryInfo(Path.GetFullPath(dir)); d is not null; d = d.Parent)
                if (!d.Exists || (d.UnixFileMode & UnixFileMode.OtherExecute) == 0) return false;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
