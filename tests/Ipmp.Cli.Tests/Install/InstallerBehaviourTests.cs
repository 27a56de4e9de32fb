using Ipmp.Cli.Install;

namespace Ipmp.Cli.Tests.Install;

public class InstallerBehaviourTests
{
    private static string Build => InstallRun.BuildDirectory;

    [Fact]
    public async Task Dry_run_through_the_verb_prints_the_plan_and_creates_nothing()
    {
        using var dir = new TempDir();
        string prefix = dir["p"];
        var (exit, stdout, stderr) = await InstallRun.VerbAsync("--prefix", prefix, "--from-dir", Build, "--dry-run");
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.False(Directory.Exists(prefix));
        Assert.Contains($"(dry run) installing ipmp into {prefix}\n", stdout);
        Assert.Contains($"(dry run) copy {Build} -> ", stdout);
        Assert.Contains($"(dry run) replace {prefix}/lib/ipmp\n", stdout);
        Assert.Contains($"(dry run) write {prefix}/bin/ipmp (0755)\n", stdout);
        Assert.Contains($"(dry run) write {prefix}/bin/ipmpstat (0755)\n", stdout);
        Assert.Contains($"(dry run) write {prefix}/sbin/if_mpadm (0755)\n", stdout);
        Assert.Contains($"(dry run) write {prefix}/lib/systemd/system/ipmpd.service (0644)\n", stdout);
        Assert.Contains($"(dry run) write {prefix}/share/ipmp/examples/mpathd (0644)\n", stdout);
        Assert.Contains("Nothing was changed (dry run).", stdout);
    }

    [Fact]
    public async Task Dry_run_of_a_publish_shows_the_dotnet_publish_command()
    {
        string? tree = InstallRun.SourceTree();
        Assert.NotNull(tree);
        using var dir = new TempDir();
        var (exit, stdout, stderr) = await InstallRun.VerbAsync("--prefix", dir["p"], "--source", tree, "--dry-run");
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.Contains($" publish {tree}/src/Ipmp.Cli/Ipmp.Cli.csproj -c Release", stdout);
        Assert.False(Directory.Exists(dir["p"]));
    }

    [Fact]
    public async Task Unit_dir_and_config_dir_options_reach_the_unit()
    {
        using var dir = new TempDir();
        var (exit, stdout, stderr) = await InstallRun.VerbAsync("--prefix", dir["with space%/p"], "--from-dir", Build,
            "--unit-dir", dir["units"], "--config-dir", "/srv/ipmp conf");
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        string unit = File.ReadAllText(dir["units/ipmpd.service"]);
        Assert.Contains($"\nExecStart=\"{dir.Path}/with space%%/p/bin/ipmp\" daemon --config-dir \"/srv/ipmp conf\" --realtime-priority 1\n", unit);
        Assert.False(Directory.Exists(dir["with space%/p/lib/systemd"]));
        Assert.Contains($"systemctl link {TestQuote(dir["units/ipmpd.service"])}", stdout);
        if (SystemdAnalyze.Path is not null && SystemdAnalyze.Unusable is null)
        {
            var (verifyExit, output) = SystemdAnalyze.Verify(dir["units/ipmpd.service"]);
            Assert.Equal("", output.Trim());
            Assert.Equal(0, verifyExit);
        }

        // The launchers quote the odd prefix too.
        var (statExit, _, statErr) = InstallRun.Program(dir["with space%/p/bin/ipmpstat"], dir["none.sock"], "-g");
        Assert.Equal("ipmpstat: cannot contact the ipmp daemon -- is IPMP in use?\n", statErr);
        Assert.Equal(1, statExit);
    }

    private static string TestQuote(string s) => s.Contains(' ') ? Quoting.Shell(s) : s;

    [Fact]
    public async Task A_reinstall_replaces_lib_ipmp_as_a_whole_and_leaves_no_staging_behind()
    {
        using var dir = new TempDir();
        string prefix = dir["p"];
        Assert.Equal(0, (await InstallRun.VerbAsync("--prefix", prefix, "--from-dir", Build)).Exit);
        File.WriteAllText($"{prefix}/lib/ipmp/stale-from-an-old-version.dll", "old");
        File.WriteAllText($"{prefix}/share/ipmp/examples/mpathd", "edited");

        var (exit, _, stderr) = await InstallRun.VerbAsync("--prefix", prefix, "--from-dir", Build);
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.False(File.Exists($"{prefix}/lib/ipmp/stale-from-an-old-version.dll"));
        Assert.True(File.Exists($"{prefix}/lib/ipmp/ipmp.dll"));
        Assert.Contains("FAILBACK=yes", File.ReadAllText($"{prefix}/share/ipmp/examples/mpathd"));
        Assert.Equal(["ipmp", "systemd"], Directory.GetDirectories($"{prefix}/lib").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles($"{prefix}/bin", "*.ipmp-new"));
    }

    [Fact]
    public async Task An_existing_config_directory_is_never_touched_and_a_missing_one_never_created()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["etc-ipmp"]);
        File.WriteAllText(dir["etc-ipmp/hostname.eth0"], "mine");
        var before = Directory.GetFileSystemEntries(dir["etc-ipmp"]);
        DateTime mtime = Directory.GetLastWriteTimeUtc(dir["etc-ipmp"]);

        var (exit, stdout, _) = await InstallRun.VerbAsync("--prefix", dir["p"], "--from-dir", Build, "--config-dir", dir["etc-ipmp"]);
        Assert.Equal(0, exit);
        Assert.Equal(before, Directory.GetFileSystemEntries(dir["etc-ipmp"]));
        Assert.Equal("mine", File.ReadAllText(dir["etc-ipmp/hostname.eth0"]));
        Assert.Equal(mtime, Directory.GetLastWriteTimeUtc(dir["etc-ipmp"]));
        Assert.Contains($"# {dir["etc-ipmp"]} exists and was left as it is", stdout);

        (exit, stdout, _) = await InstallRun.VerbAsync("--prefix", dir["p2"], "--from-dir", Build, "--config-dir", dir["absent"]);
        Assert.Equal(0, exit);
        Assert.False(Directory.Exists(dir["absent"]));
        Assert.Contains($"mkdir -m 0755 {dir["absent"]} && cp {dir["p2"]}/share/ipmp/examples/* {dir["absent"]}/", stdout);
    }

    [Fact]
    public async Task Refusals_name_the_problem_and_install_nothing()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["empty"]);
        var cases = new (string[] Args, string Message)[]
        {
            (["--from-dir", dir["empty"]], "not an ipmp build (no ipmp.dll)"),
            (["--from-dir", Build, "--source", dir["empty"]], "--source and --from-dir exclude each other"),
            (["--source", dir["empty"]], "not an ipmp source tree"),
            (["--from-dir", Build, "--config-dir", "etc/ipmp"], "--config-dir must be an absolute path"),
            (["--from-dir", Build, "--prefix", dir["a$b"]], "must not be empty or hold quotes"),
            (["--from-dir", Build, "--unit-dir", dir["a\"b"]], "must not be empty or hold quotes"),
        };
        foreach (var (args, message) in cases)
        {
            string[] all = args.Contains("--prefix") ? args : [.. args, "--prefix", dir["p"]];
            var (exit, _, stderr) = await InstallRun.VerbAsync(all);
            Assert.Equal(1, exit);
            Assert.StartsWith("ipmp install: ", stderr);
            Assert.Contains(message, stderr);
        }
        Assert.False(Directory.Exists(dir["p/lib/ipmp"]));
        Assert.False(Directory.Exists(dir["a$b"]));
    }

    [Fact]
    public void Without_options_the_source_is_the_tree_the_program_was_built_from_else_its_own_directory()
    {
        // This test assembly runs outside the source tree (a private artifacts path) or inside it (bin/):
        // either way the choice follows where the running program is.
        var source = Installer.ResolveSource(new InstallOptions());
        string? tree = Installer.FindSourceTree(Build);
        if (tree is null)
            Assert.Equal(new Installer.CopyFrom(Build), source);
        else
            Assert.Equal(new Installer.PublishFrom(tree), source);
        Assert.Null(Installer.FindSourceTree("/"));
        Assert.Equal(InstallRun.SourceTree(), Installer.FindSourceTree(Path.Combine(InstallRun.SourceTree()!, "src", "Ipmp.Cli")));
    }
}
