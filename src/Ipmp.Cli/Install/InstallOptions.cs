namespace Ipmp.Cli.Install;

/// <summary>What <c>ipmp install</c> was asked to do.</summary>
internal sealed record InstallOptions
{
    public const string DefaultPrefix = "/usr/local";

    /// <summary>Where everything goes: lib/ipmp, bin, sbin, share/ipmp/examples (and the unit by default).</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Where <c>ipmpd.service</c> goes; null: <c>PREFIX/lib/systemd/system</c>.</summary>
    public string? UnitDirectory { get; init; }

    /// <summary>A source tree (the repository root) to publish from; null: found from the running program.</summary>
    public string? SourceTree { get; init; }

    /// <summary>An already-built directory (with ipmp.dll) to copy instead of publishing.</summary>
    public string? BuildDirectory { get; init; }

    /// <summary>The dotnet host for publishing and for the launcher; null: the one running this, else PATH.</summary>
    public string? DotnetHost { get; init; }

    /// <summary>The configuration directory the unit passes to the daemon. Never written by the installer.</summary>
    public string ConfigDirectory { get; init; } = Host.Configuration.ConfigDirectory.DefaultPath;

    /// <summary>dotnet publish's --artifacts-path; null: <c>SOURCE/.build/install-artifacts</c> (kept between runs).</summary>
    public string? PublishArtifactsPath { get; init; }

    /// <summary>Print what would be done and change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Publish the framework-dependent (JIT) build instead of NativeAOT.</summary>
    public bool Jit { get; init; }
}

/// <summary>Where the installed files live for a prefix (and unit directory).</summary>
internal sealed record InstallLayout(string Prefix, string UnitDirectory)
{
    public static InstallLayout For(string prefix, string? unitDirectory)
    {
        string p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(prefix));
        if (p.Length == 0)
            p = "/";
        return new InstallLayout(p, Path.GetFullPath(unitDirectory ?? Path.Combine(p, "lib", "systemd", "system")));
    }

    public string LibDirectory => Path.Combine(Prefix, "lib", "ipmp");
    public string BinDirectory => Path.Combine(Prefix, "bin");
    public string SbinDirectory => Path.Combine(Prefix, "sbin");
    public string ExamplesDirectory => Path.Combine(Prefix, "share", "ipmp", "examples");
    public string ManDirectory(string section) => Path.Combine(Prefix, "share", "man", "man" + section);
    public string IpmpLauncher => Path.Combine(BinDirectory, "ipmp");
    public string IpmpStat => Path.Combine(BinDirectory, "ipmpstat");
    public string IfMpadm => Path.Combine(SbinDirectory, "if_mpadm");
    public string UnitFile => Path.Combine(UnitDirectory, SystemdUnit.FileName);
}
