using System.Diagnostics;
using Ipmp.Cli.Install;

namespace Ipmp.Dev.Package;

/// <summary>What <c>ipmp package</c> was asked to do.</summary>
internal sealed record PackageOptions
{
    /// <summary>The source tree; null: the one the running program was built from.</summary>
    public string? SourceTree { get; init; }

    /// <summary>Where the .deb goes; null: <c>SOURCE/.build/package</c>.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>An earlier NativeAOT publish (holding <c>ipmp</c>) to package instead of publishing again.</summary>
    public string? PublishDirectory { get; init; }
}

/// <summary>
/// Builds <c>ipmp_VERSION_ARCH.deb</c> with the source tree's <c>debian/</c> directory: the tree's files are copied
/// (without <c>.git</c>, <c>.build</c>, <c>bin</c>, <c>obj</c>) into a temporary <c>ipmp-VERSION/</c>, where
/// <c>dpkg-buildpackage -b</c> runs <c>debian/rules</c> (a NativeAOT <c>dotnet publish</c>, or the executable of
/// <see cref="PackageOptions.PublishDirectory"/>); the .deb is moved to the output directory and the rest
/// deleted. The checkout itself is not written to, except for the output directory.
/// </summary>
internal sealed class Packager(PackageOptions options, TextWriter stdout, TextWriter stderr)
{
    public const string Prefix = "ipmp package: ";

    /// <summary>Directories of a checkout that are build output or version control, never package sources.</summary>
    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.Ordinal) { ".git", ".build", "bin", "obj", "TestResults", "artifacts" };

    /// <summary>The path of the .deb, or null after printing why there is none.</summary>
    public async Task<string?> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await BuildAsync(cancellationToken);
        }
        catch (Exception e) when (e is InstallException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            return null;
        }
    }

    private async Task<string?> BuildAsync(CancellationToken cancellationToken)
    {
        string tree = options.SourceTree is { } s ? Path.GetFullPath(s)
            : Installer.FindSourceTree(AppContext.BaseDirectory)
              ?? throw new InstallException("no source tree found above this program; use --source DIR");
        if (!File.Exists(Path.Combine(tree, "debian", "control")))
            throw new InstallException($"{tree}: no debian/control");
        string? publish = options.PublishDirectory is { } p ? Path.GetFullPath(p) : null;
        if (publish is not null && !File.Exists(Path.Combine(publish, "ipmp")))
            throw new InstallException($"--from-publish {publish}: no NativeAOT executable 'ipmp' there");

        var missing = new List<string>();
        if (Which("dpkg-buildpackage") is null) missing.Add("dpkg-dev");
        if (Which("dh") is null) missing.Add("debhelper");
        if (publish is null)
        {
            if (Which("clang") is null) missing.Add("clang");
            if (Which("ld.lld") is null) missing.Add("lld");
            if (Installer.ResolveDotnet(null) is null)
                throw new InstallException("the .NET SDK (dotnet) is needed for the NativeAOT publish (or --from-publish DIR)");
        }
        if (missing.Count > 0)
            throw new InstallException($"missing tools; install them with: apt-get install {string.Join(' ', missing)}");

        string version = (await RunAsync("dpkg-parsechangelog", ["-l", Path.Combine(tree, "debian", "changelog"), "-S", "Version"], tree, null, cancellationToken)).Trim();
        string arch = (await RunAsync("dpkg", ["--print-architecture"], tree, null, cancellationToken)).Trim();
        string debName = $"ipmp_{version}_{arch}.deb";
        string output = Path.GetFullPath(options.OutputDirectory ?? Path.Combine(tree, ".build", "package"));

        string work = Directory.CreateTempSubdirectory("ipmp-package-").FullName;
        try
        {
            string staged = Path.Combine(work, $"ipmp-{version}");
            await stdout.WriteAsync($"copying {tree} -> {staged}\n");
            CopyTree(tree, staged);
            await stdout.WriteAsync(publish is null
                ? "dpkg-buildpackage -b (NativeAOT dotnet publish: a few minutes)\n"
                : $"dpkg-buildpackage -b (the executable of {publish})\n");
            var environment = new Dictionary<string, string?> { ["IPMP_PUBLISH_DIR"] = publish };
            string log = Path.Combine(work, "build.log");
            try
            {
                await RunAsync("dpkg-buildpackage", ["-b", "-us", "-uc"], staged, environment, cancellationToken, log);
            }
            catch (InstallException)
            {
                await stderr.WriteAsync(await File.ReadAllTextAsync(log, cancellationToken));
                throw;
            }
            string built = Path.Combine(work, debName);
            if (!File.Exists(built))
                throw new InstallException($"dpkg-buildpackage made no {debName}");
            Directory.CreateDirectory(output);
            string target = Path.Combine(output, debName);
            File.Copy(built, target, overwrite: true);
            await stdout.WriteAsync($"{target}\n");
            return target;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The tree's files, without version control and build output (and symbolic links as they are).</summary>
    internal static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            string target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo dir)
            {
                if (!SkippedDirectories.Contains(dir.Name))
                    CopyTree(dir.FullName, target);
            }
            else if (entry.Name != ".git")  // a worktree's .git file
            {
                File.Copy(entry.FullName, target);
                File.SetUnixFileMode(target, File.GetUnixFileMode(entry.FullName));
            }
        }
    }

    internal static string? Which(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    /// <summary>Runs a program; its standard output (or, with <paramref name="log"/>, both streams into that file).</summary>
    private static async Task<string> RunAsync(string program, string[] args, string directory,
        IReadOnlyDictionary<string, string?>? environment, CancellationToken cancellationToken, string? log = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        // Run from a build or a test run, inherited MSBuild settings would steer the publish in debian/rules.
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                psi.Environment.Remove(key);
            else
                psi.Environment[key] = value;
        }
        using var process = Process.Start(psi) ?? throw new InstallException($"cannot run {program}");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (log is not null)
            await File.WriteAllTextAsync(log, await output + await errors, cancellationToken);
        if (process.ExitCode != 0)
            throw new InstallException($"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}){(log is null ? ": " + (await errors).Trim() : "")}");
        return await output;
    }
}
