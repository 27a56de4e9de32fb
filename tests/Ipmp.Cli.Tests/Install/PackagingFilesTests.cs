using System.Diagnostics;
using Ipmp.Cli.Install;

namespace Ipmp.Cli.Tests.Install;

/// <summary>
/// debian/ holds the unit and the two illumos commands as files (for dh_installsystemd and dh_install); they
/// must be what <c>ipmp install</c> writes for the prefix /usr, and the examples and manual pages built into the
/// program must be the tree's <c>dist/examples</c> and <c>man</c>.
/// </summary>
public class PackagingFilesTests
{
    private static string Tree => InstallRun.SourceTree()!;

    private static string Read(string relative) => File.ReadAllText(Path.Combine(Tree, relative));

    [Fact]
    public void The_packaged_unit_is_the_installers_unit_for_usr_bin_ipmp_and_etc_ipmp() =>
        Assert.Equal(SystemdUnit.Text("/usr/bin/ipmp", "/etc/ipmp"), Read("debian/ipmp.ipmpd.service"));

    [Fact]
    public void The_packaged_ipmpstat_and_if_mpadm_are_the_installers_launchers_for_usr_bin_ipmp()
    {
        Assert.Equal(Launchers.IpmpStat("/usr/bin/ipmp"), Read("debian/launchers/ipmpstat"));
        Assert.Equal(Launchers.IfMpadm("/usr/bin/ipmp"), Read("debian/launchers/if_mpadm"));
        foreach (string launcher in new[] { "ipmpstat", "if_mpadm" })
            Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Tree, "debian", "launchers", launcher)));
    }

    [Fact]
    public void The_examples_and_manual_pages_in_the_program_are_the_trees_files()
    {
        static string[] Names(string dir) => [.. Directory.GetFiles(Path.Combine(Tree, dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(Names("dist/examples"), ExampleConfig.Files.Select(f => f.Name));
        Assert.All(ExampleConfig.Files, f => Assert.Equal(Read("dist/examples/" + f.Name), f.Content));
        Assert.Equal(["if_mpadm.8", "ipmp.8", "ipmpstat.8", "mpathd.5"], ManPages.Files.Select(f => f.Name));
        Assert.Equal(Names("man"), ManPages.Files.Select(f => f.Name));
        Assert.All(ManPages.Files, f => Assert.Equal(Read("man/" + f.Name), f.Content));
        // debian/ipmp.manpages installs the same pages.
        Assert.Equal(ManPages.Files.Select(f => "man/" + f.Name).Order(StringComparer.Ordinal),
            Read("debian/ipmp.manpages").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_file_debian_installs_is_in_the_tree()
    {
        foreach (string line in Read("debian/ipmp.install").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string source = line.Split(' ')[0];
            if (source.StartsWith("debian/publish/", StringComparison.Ordinal))
                continue;   // made by the build
            Assert.True(File.Exists(Path.Combine(Tree, source)), source);
        }
    }
}

/// <summary>The four manual pages render without a warning from groff or man (as lintian checks them too).</summary>
public class ManPageTests
{
    [ManFact]
    public void Every_page_renders_without_warnings()
    {
        string tree = InstallRun.SourceTree()!;
        foreach (string page in new[] { "ipmp.8", "ipmpstat.8", "if_mpadm.8", "mpathd.5" })
        {
            string path = Path.Combine(tree, "man", page);
            foreach (string[] args in new[] { new[] { "--warnings", "-l", path }, ["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", path] })
            {
                var psi = new ProcessStartInfo("man") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string a in args)
                    psi.ArgumentList.Add(a);
                psi.Environment["MANWIDTH"] = "80";
                psi.Environment["LC_ALL"] = "C.UTF-8";
                psi.Environment["MAN_KEEP_FORMATTING"] = "0";
                using var p = Process.Start(psi)!;
                Task<string> stdout = p.StandardOutput.ReadToEndAsync();
                string stderr = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(stderr == "", $"man {string.Join(' ', args)}:\n{stderr}");
                Assert.Equal(0, p.ExitCode);
                Assert.NotEmpty(stdout.Result);
            }
        }
    }
}

/// <summary>Needs man-db (CI installs it: there a missing <c>man</c> fails instead of skipping).</summary>
public sealed class ManFactAttribute : FactAttribute
{
    public ManFactAttribute()
    {
        if (!File.Exists("/usr/bin/man") && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = "man-db is not installed (apt-get install man-db)";
    }
}
