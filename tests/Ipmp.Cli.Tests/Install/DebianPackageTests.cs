using System.Diagnostics;
using System.Text;
using Ipmp.Cli.Install;
using Ipmp.Dev.Package;
using Xunit.Abstractions;

namespace Ipmp.Cli.Tests.Install;

/// <summary>
/// The Debian package, built by <c>ipmp package</c> from the install test's NativeAOT publish (one publish for
/// both), checked by lintian (no error; the report is kept in <c>.build/package-test/lintian.txt</c>, which
/// test.sh prints), then installed with <c>dpkg -i</c> and purged on this machine: the file system must be as
/// before (the file lists are compared) and no daemon left running.
/// </summary>
[Collection(PublishCollection.Name)]
public class DebianPackageTests(PublishInstallFixture f, ITestOutputHelper output)
{
    /// <summary>Where the file lists are compared: everything dpkg and the maintainer scripts may write.</summary>
    private static readonly string[] Watched = ["/etc", "/usr", "/var/lib", "/var/cache", "/run", "/opt", "/srv", "/boot"];

    /// <summary>
    /// Changes there are other tests' (namespaces of the lab tests, the builds in this source tree and the test
    /// output, wherever the clone lies), not the package's.
    /// </summary>
    private static readonly string[] Unwatched =
    [
        "/run/netns", "/var/cache/man", InstallRun.SourceTree() ?? "/nonexistent",
        Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), Path.TrimEndingDirectorySeparator(Path.GetTempPath()),
    ];

    [DebianPackageFact]
    public async Task The_package_passes_lintian_and_installs_and_purges_without_a_trace()
    {
        string tree = InstallRun.SourceTree()!;
        string outputDir = Path.Combine(tree, ".build", "package-test");
        if (Directory.Exists(outputDir))
            Directory.Delete(outputDir, recursive: true);
        var log = new StringWriter();
        string? deb = await new Packager(new PackageOptions
        {
            SourceTree = tree,
            OutputDirectory = outputDir,
            PublishDirectory = f.NativeAotDirectory,   // else debian/rules publishes
        }, log, log).RunAsync();
        Assert.True(deb is not null, log.ToString());
        string arch = Run("dpkg", "--print-architecture").Out.Trim();
        Assert.Matches($@"/ipmp_[0-9][^_]*_{arch}\.deb$", deb);

        // What it holds: the one executable, the commands, the unit, the conffile, examples and manual pages.
        string[] files = [.. Run("dpkg-deb", "-c", deb).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l[0] != 'd').Select(l => l[(l.IndexOf("./", StringComparison.Ordinal) + 1)..]).Order(StringComparer.Ordinal)];
        string unitDir = files.Single(p => p.EndsWith("/ipmpd.service", StringComparison.Ordinal));
        Assert.Equal(new[]
        {
            "/etc/ipmp/mpathd", unitDir, "/usr/bin/ipmp", "/usr/bin/ipmpstat", "/usr/sbin/if_mpadm",
            "/usr/share/doc/ipmp/changelog.gz", "/usr/share/doc/ipmp/copyright",
            "/usr/share/doc/ipmp/examples/hostname.eth0", "/usr/share/doc/ipmp/examples/hostname.eth1",
            "/usr/share/doc/ipmp/examples/hostname.eth2", "/usr/share/doc/ipmp/examples/mpathd", "/usr/share/lintian/overrides/ipmp",
            "/usr/share/man/man5/mpathd.5.gz", "/usr/share/man/man8/if_mpadm.8.gz", "/usr/share/man/man8/ipmp.8.gz",
            "/usr/share/man/man8/ipmpstat.8.gz",
        }.Order(StringComparer.Ordinal), files);
        Assert.Equal("/etc/ipmp/mpathd", Run("dpkg-deb", "-I", deb, "conffiles").Out.Trim());
        Assert.DoesNotContain("dotnet", Run("dpkg-deb", "-f", deb, "Depends").Out);

        // lintian: no error (warnings and notes are reported, not failed on).
        var (lintianExit, lintian, lintianErr) = Run("lintian", "--info", "--display-info", "--show-overrides", "--fail-on", "error", deb);
        string report = $"$ lintian --info --display-info --show-overrides --fail-on error {Path.GetFileName(deb)}   (exit {lintianExit})\n{lintian}{lintianErr}";
        File.WriteAllText(Path.Combine(outputDir, "lintian.txt"), report);
        output.WriteLine(report);
        Assert.DoesNotContain(lintian.Split('\n'), l => l.StartsWith("E: ", StringComparison.Ordinal));
        Assert.True(lintianExit == 0, report);

        // dpkg -i, then dpkg --purge: nothing left behind, nothing left running.
        var before = FileList();
        try
        {
            var install = Run("dpkg", "-i", deb);
            Assert.True(install.Exit == 0, install.Out + install.Err);
            Assert.True(File.Exists("/usr/bin/ipmp"));
            var (statExit, statOut, statErr) = Run("/usr/bin/ipmpstat", "-h");
            Assert.Equal(1, statExit);
            Assert.Equal("", statOut);
            Assert.StartsWith("ipmpstat: illegal option -- h\nusage: ipmpstat ", statErr);
            var (mpadmExit, _, mpadmErr) = Run("/usr/sbin/if_mpadm");
            Assert.Equal(1, mpadmExit);
            Assert.Equal("Usage: if_mpadm [-d | -r] <interface>\n", mpadmErr);
            Assert.Contains("FAILURE_DETECTION_TIME=10000", Run("/usr/bin/ipmp", "check-config", "--config-dir", "/etc/ipmp").Out);
            Assert.Equal("/usr/share/man/man8/ipmpstat.8.gz", Run("man", "-w", "ipmpstat").Out.Trim());
            if (!SystemdIsInit)
                Assert.Empty(DaemonProcesses());   // without systemd as init, the maintainer scripts start nothing
        }
        finally
        {
            var purge = Run("dpkg", "--purge", "ipmp");
            Assert.True(purge.Exit == 0, purge.Out + purge.Err);
        }
        Assert.Empty(DaemonProcesses());
        var after = FileList();
        Assert.Equal([], after.Except(before).Order(StringComparer.Ordinal));   // left behind
        Assert.Equal([], before.Except(after).Order(StringComparer.Ordinal));   // taken away
    }

    internal static bool SystemdIsInit => File.Exists("/proc/1/comm") && File.ReadAllText("/proc/1/comm").Trim() == "systemd";

    /// <summary>Processes running the packaged executable.</summary>
    private static List<int> DaemonProcesses()
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            try
            {
                if (new FileInfo(Path.Combine(dir, "exe")).LinkTarget is "/usr/bin/ipmp")
                    found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    private static HashSet<string> FileList()
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (string root in Watched.Where(Directory.Exists))
            Walk(new DirectoryInfo(root), all);
        return all;
    }

    private static void Walk(DirectoryInfo dir, HashSet<string> into)
    {
        if (Unwatched.Contains(dir.FullName))
            return;
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = dir.EnumerateFileSystemInfos().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (FileSystemInfo entry in entries)
        {
            into.Add(entry.FullName);
            if (entry is DirectoryInfo sub && entry.LinkTarget is null)
                Walk(sub, into);
        }
    }

    private static (int Exit, string Out, string Err) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        psi.Environment["LC_ALL"] = "C.UTF-8";
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>
/// Root (dpkg -i on this machine), the Debian tools, and a machine without ipmp on it: no ipmp package installed
/// and no /etc/ipmp (the test must not touch a real configuration). CI (<c>CI=true</c>, where .ci/run installs the
/// tools) fails instead of skipping when a tool is missing.
/// </summary>
public sealed class DebianPackageFactAttribute : FactAttribute
{
    public DebianPackageFactAttribute()
    {
        string[] tools = ["dpkg-buildpackage", "dh", "lintian", "dpkg-deb", "man"];
        string[] missing = [.. tools.Where(t => Packager.Which(t) is null)];
        if (!Environment.IsPrivilegedProcess)
            Skip = "needs root (dpkg -i and dpkg --purge on this machine)";
        else if (missing.Length > 0 && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"missing {string.Join(", ", missing)} (apt-get install dpkg-dev debhelper lintian man-db)";
        else if (Directory.Exists("/etc/ipmp"))
            Skip = "/etc/ipmp exists: this machine has an ipmp configuration the test must not touch";
        else if (File.Exists("/var/lib/dpkg/info/ipmp.list"))
            Skip = "the ipmp package is installed on this machine";
    }
}
