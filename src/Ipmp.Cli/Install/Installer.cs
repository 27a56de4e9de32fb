using System.Diagnostics;

namespace Ipmp.Cli.Install;

/// <summary>
/// <c>ipmp install</c>: puts the daemon and CLI into <c>PREFIX/lib/ipmp</c> (published from a source tree, or
/// copied from an already-built directory), the launchers <c>bin/ipmp</c>, <c>bin/ipmpstat</c> and
/// <c>sbin/if_mpadm</c>, the unit <c>ipmpd.service</c> and the example configuration. It never writes the
/// configuration directory (<c>/etc/ipmp</c>) and never enables or starts the unit: it prints those commands.
/// </summary>
internal sealed class Installer(InstallOptions options, TextWriter stdout, TextWriter stderr)
{
    public const string Prefix = "ipmp install: ";

    /// <summary>Directories systemd (system manager) reads units from without being told.</summary>
    private static readonly string[] UnitSearchPath =
        ["/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

    /// <summary>Files of a build directory that are not part of the program (the ./ipmp script's bookkeeping).</summary>
    private static readonly HashSet<string> SkippedFiles = new(StringComparer.Ordinal) { ".stamp", "build.log" };

    /// <summary>Debug symbols (portable PDBs, the NativeAOT executable's separate <c>.dbg</c>): never installed.</summary>
    internal static bool IsDebugFile(string name) =>
        name.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".dbg", StringComparison.OrdinalIgnoreCase);

    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode0644 = UnixFileMode.UserRead | UnixFileMode.UserWrite |
        UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Where the binaries come from.</summary>
    internal abstract record BinarySource;

    /// <summary><c>dotnet publish</c> of <c>src/Ipmp.Cli</c> in a source tree.</summary>
    internal sealed record PublishFrom(string SourceTree) : BinarySource;

    /// <summary>Copy of an already-built directory.</summary>
    internal sealed record CopyFrom(string Directory) : BinarySource;

    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await InstallAsync(cancellationToken);
        }
        catch (InstallException e)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            await stderr.WriteAsync(Prefix + "run it as root, or choose a --prefix you can write\n");
            return 1;
        }
        catch (IOException e)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            return 1;
        }
    }

    private async Task<int> InstallAsync(CancellationToken cancellationToken)
    {
        if (options.Prefix.Length == 0 || options.UnitDirectory?.Length == 0)
            throw new InstallException("--prefix and --unit-dir must not be empty");
        InstallLayout layout = InstallLayout.For(options.Prefix, options.UnitDirectory);
        foreach (var (what, path) in new[] { ("--prefix", layout.Prefix), ("--unit-dir", layout.UnitDirectory), ("--config-dir", options.ConfigDirectory) })
        {
            if (!Quoting.IsSafeForUnit(path))
                throw new InstallException($"{what} {path}: a path for the unit must not be empty or hold quotes, backslashes, '$', '`' or control characters");
        }
        if (!Path.IsPathRooted(options.ConfigDirectory))
            throw new InstallException($"--config-dir must be an absolute path: {options.ConfigDirectory}");
        if (options.SourceTree is not null && options.BuildDirectory is not null)
            throw new InstallException("--source and --from-dir exclude each other");

        BinarySource source = ResolveSource(options);
        string? dotnet = ResolveDotnet(options.DotnetHost);
        if (source is PublishFrom && dotnet is null)
            throw new InstallException("the .NET SDK (dotnet) is needed to publish; none found (use --dotnet PATH, or --from-dir DIR to copy a build)");
        string launcherDotnet = dotnet ?? "/usr/bin/dotnet";

        string dry = options.DryRun ? "(dry run) " : "";
        await stdout.WriteAsync($"{dry}installing ipmp into {layout.Prefix}\n");

        string[] manDirectories = [.. ManPages.Files.Select(p => layout.ManDirectory(ManPages.Section(p.Name))).Distinct()];
        foreach (string dir in (string[])[Path.GetDirectoryName(layout.LibDirectory)!, layout.BinDirectory, layout.SbinDirectory, layout.ExamplesDirectory, layout.UnitDirectory, .. manDirectories])
            await StepAsync($"mkdir -p {dir}", () => CreateDirectory(dir));

        await InstallBinariesAsync(layout, source, dotnet, cancellationToken);

        await WriteAsync(layout.IpmpLauncher, Launchers.Ipmp(layout.LibDirectory, launcherDotnet), Mode0755);
        await WriteAsync(layout.IpmpStat, Launchers.IpmpStat(layout.IpmpLauncher), Mode0755);
        await WriteAsync(layout.IfMpadm, Launchers.IfMpadm(layout.IpmpLauncher), Mode0755);
        await WriteAsync(layout.UnitFile, SystemdUnit.Text(layout.IpmpLauncher, options.ConfigDirectory), Mode0644);
        foreach (var (name, content) in ExampleConfig.Files)
            await WriteAsync(Path.Combine(layout.ExamplesDirectory, name), content, Mode0644);
        foreach (var (name, content) in ManPages.Files)
            await WriteAsync(Path.Combine(layout.ManDirectory(ManPages.Section(name)), name), content, Mode0644);

        await stdout.WriteAsync(NextSteps(layout));
        return 0;
    }

    /// <summary>The explicit option, else the source tree the running program was built from, else its own directory.</summary>
    internal static BinarySource ResolveSource(InstallOptions options)
    {
        if (options.BuildDirectory is { } build)
            return new CopyFrom(Path.GetFullPath(build));
        if (options.SourceTree is { } tree)
        {
            string full = Path.GetFullPath(tree);
            if (!File.Exists(CliProject(full)))
                throw new InstallException($"--source {tree}: not an ipmp source tree (no src/Ipmp.Cli/Ipmp.Cli.csproj)");
            return new PublishFrom(full);
        }
        string own = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        return FindSourceTree(own) is { } found ? new PublishFrom(found) : new CopyFrom(own);
    }

    /// <summary>The nearest ancestor of <paramref name="start"/> holding <c>src/Ipmp.Cli/Ipmp.Cli.csproj</c>.</summary>
    internal static string? FindSourceTree(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(CliProject(dir.FullName)))
                return dir.FullName;
        }
        return null;
    }

    private static string CliProject(string tree) => Path.Combine(tree, "src", "Ipmp.Cli", "Ipmp.Cli.csproj");

    /// <summary>The dotnet host: the option, the process running this (when it is dotnet), $DOTNET_ROOT, PATH.</summary>
    internal static string? ResolveDotnet(string? explicitPath)
    {
        if (explicitPath is not null)
            return File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : throw new InstallException($"--dotnet {explicitPath}: no such file");
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == "dotnet")
            return self;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
            return Path.Combine(root, "dotnet");
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }

    /// <summary>
    /// Builds the new <c>lib/ipmp</c> beside the old one and swaps it in, so a failed publish leaves the
    /// installed version alone and no stale assembly of an older version survives.
    /// </summary>
    private async Task InstallBinariesAsync(InstallLayout layout, BinarySource source, string? dotnet, CancellationToken cancellationToken)
    {
        string parent = Path.GetDirectoryName(layout.LibDirectory)!;
        string staging = Path.Combine(parent, $".ipmp.new.{Environment.ProcessId}");
        string old = Path.Combine(parent, $".ipmp.old.{Environment.ProcessId}");

        switch (source)
        {
            case PublishFrom p:
                // NativeAOT by default: a quarter of the memory and a tenth of the start-up time of the JIT
                // build (bench figure 4); the framework-dependent build when AOT cannot be had (no clang/lld).
                string[] aot = PublishArguments(p.SourceTree, staging, options.PublishArtifactsPath, nativeAot: true);
                string[] jit = PublishArguments(p.SourceTree, staging, options.PublishArtifactsPath, nativeAot: false);
                string[] first = options.Jit ? jit : aot;
                await stdout.WriteAsync($"{(options.DryRun ? "(dry run) " : "")}{dotnet} {string.Join(' ', first)}\n");
                if (!options.DryRun)
                {
                    DeleteDirectory(staging);
                    try
                    {
                        await PublishAsync(dotnet!, first, cancellationToken);
                    }
                    catch (InstallException) when (!options.Jit)
                    {
                        await stderr.WriteAsync("ipmp install: the NativeAOT publish failed; installing the framework-dependent build instead\n");
                        DeleteDirectory(staging);
                        await PublishAsync(dotnet!, jit, cancellationToken);
                    }
                    foreach (string debug in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories).Where(f => IsDebugFile(f)).ToList())
                        File.Delete(debug);
                }
                break;
            case CopyFrom c:
                if (!File.Exists(Path.Combine(c.Directory, "ipmp.dll")))
                    throw new InstallException($"{c.Directory}: not an ipmp build (no ipmp.dll)");
                await StepAsync($"copy {c.Directory} -> {staging}", () =>
                {
                    DeleteDirectory(staging);
                    CopyDirectory(c.Directory, staging);
                });
                break;
        }

        await StepAsync($"replace {layout.LibDirectory}", () =>
        {
            try
            {
                // A NativeAOT build is one executable; a framework-dependent one is ipmp.dll and its runtimeconfig.
                if (!File.Exists(Path.Combine(staging, "ipmp")) || File.Exists(Path.Combine(staging, "ipmp.dll")))
                    foreach (string needed in new[] { "ipmp.dll", "ipmp.runtimeconfig.json" })
                    {
                        if (!File.Exists(Path.Combine(staging, needed)))
                            throw new InstallException($"the build has no {needed}; nothing installed");
                    }
                File.SetUnixFileMode(staging, Mode0755);
                DeleteDirectory(old);
                if (Directory.Exists(layout.LibDirectory))
                    Directory.Move(layout.LibDirectory, old);
                try
                {
                    Directory.Move(staging, layout.LibDirectory);
                }
                catch when (Directory.Exists(old) && !Directory.Exists(layout.LibDirectory))
                {
                    Directory.Move(old, layout.LibDirectory);   // put the previous version back
                    throw;
                }
            }
            finally
            {
                DeleteDirectory(staging);
            }
            DeleteDirectory(old);
        });
    }

    internal static string[] PublishArguments(string sourceTree, string output, string? artifacts, bool nativeAot = false) =>
    [
        "publish", CliProject(sourceTree), "-c", "Release", "--nologo", "-v", "quiet",
        "-o", output, "--artifacts-path", artifacts ?? Path.Combine(sourceTree, ".build", "install-artifacts"),
        .. nativeAot ? new[] { "-r", "linux-x64", "-p:PublishAot=true" } : ["-p:UseAppHost=false"],
        // No compiler or MSBuild server outliving the publish (one holding our output pipes would hang us).
        "--disable-build-servers",
    ];

    private async Task PublishAsync(string dotnet, string[] args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        // Run from inside another build or test run, inherited MSBuild settings would steer this one.
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi) ?? throw new InstallException($"cannot run {dotnet}");
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            await stderr.WriteAsync(await output);
            await stderr.WriteAsync(await errors);
            throw new InstallException($"dotnet publish failed (exit {process.ExitCode}); nothing installed");
        }
    }

    private async Task WriteAsync(string path, string content, UnixFileMode mode)
    {
        await StepAsync($"write {path} ({Convert.ToString((int)mode, 8).PadLeft(4, '0')})", () =>
        {
            // A new file beside the old, renamed over it: a running launcher is never seen half-written.
            string temp = path + ".ipmp-new";
            File.WriteAllText(temp, content);
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, path, overwrite: true);
        });
    }

    private async Task StepAsync(string description, Action action)
    {
        if (options.DryRun)
        {
            await stdout.WriteAsync($"(dry run) {description}\n");
            return;
        }
        action();
        await stdout.WriteAsync($"{description}\n");
    }

    private static void CreateDirectory(string dir)
    {
        if (!Directory.Exists(dir))
            Directory.CreateDirectory(dir, Mode0755);
    }

    private static void DeleteDirectory(string dir)
    {
        if (Directory.Exists(dir))
            Directory.Delete(dir, recursive: true);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to, Mode0755);
        foreach (string file in Directory.EnumerateFiles(from))
        {
            if (!SkippedFiles.Contains(Path.GetFileName(file)) && !IsDebugFile(file))
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
        foreach (string dir in Directory.EnumerateDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    /// <summary>What the operator does next; the installer does none of it.</summary>
    private string NextSteps(InstallLayout layout)
    {
        var lines = new List<string>
        {
            "",
            options.DryRun ? "Nothing was changed (dry run)." : $"ipmp is installed in {layout.Prefix}.",
            "The service was not enabled or started. To run it (as root):",
        };
        string config = options.ConfigDirectory;
        string q(string s) => s.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':') ? s : Quoting.Shell(s);
        if (Directory.Exists(config))
            lines.Add($"  # {config} exists and was left as it is");
        else
            lines.Add($"  mkdir -m 0755 {q(config)} && cp {q(layout.ExamplesDirectory)}/* {q(config)}/   # then edit them for your NICs");
        lines.Add($"  {q(layout.IpmpLauncher)} check-config --config-dir {q(config)}");
        if (UnitSearchPath.Contains(Path.TrimEndingDirectorySeparator(layout.UnitDirectory)))
            lines.Add("  systemctl daemon-reload");
        else
            lines.Add($"  systemctl link {q(layout.UnitFile)}   # {layout.UnitDirectory} is not in systemd's unit path");
        lines.Add($"  systemctl enable --now {SystemdUnit.FileName}");
        lines.Add($"  {q(layout.IpmpStat)} -i");
        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        if (!path.Split(':').Contains(layout.BinDirectory))
            lines.Add($"({layout.BinDirectory} and {layout.SbinDirectory} are not on your PATH.)");
        return string.Join('\n', lines) + "\n";
    }
}

/// <summary>A reason to stop the installation, shown as <c>ipmp install: message</c>.</summary>
internal sealed class InstallException(string message) : Exception(message);
