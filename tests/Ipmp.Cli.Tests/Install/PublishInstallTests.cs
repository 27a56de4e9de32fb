using Ipmp.Cli.Install;

namespace Ipmp.Cli.Tests.Install;

/// <summary>
/// The default path: <c>dotnet publish</c> (Release) of this source tree into a temporary prefix, once for the
/// class (it takes a while), with its own artifacts directory.
/// </summary>
public sealed class PublishInstallFixture : IDisposable
{
    private readonly TempDir _dir = new("ipmp-publish-test");

    public PublishInstallFixture()
    {
        Prefix = _dir["prefix"];
        SourceTree = InstallRun.SourceTree();
        if (SourceTree is null)
            return;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var options = new InstallOptions { Prefix = Prefix, SourceTree = SourceTree, PublishArtifactsPath = _dir["artifacts"] };
        Exit = new Installer(options, stdout, stderr).RunAsync().GetAwaiter().GetResult();
        Out = stdout.ToString();
        Err = stderr.ToString();
    }

    public string Prefix { get; }

    public string? SourceTree { get; }

    public int Exit { get; } = -1;

    public string Out { get; } = "";

    public string Err { get; } = "";

    public string NoDaemonSocket => _dir["no-daemon.sock"];

    public void Dispose() => _dir.Dispose();
}

public class PublishInstallTests(PublishInstallFixture f) : IClassFixture<PublishInstallFixture>
{
    [Fact]
    public void A_published_install_runs_the_cli_from_the_prefix()
    {
        Assert.NotNull(f.SourceTree);
        Assert.True(f.Exit == 0, $"install failed ({f.Exit}):\n{f.Out}\n{f.Err}");
        // NativeAOT by default: one executable; the framework-dependent build only if AOT could not be had.
        if (File.Exists($"{f.Prefix}/lib/ipmp/ipmp"))
        {
            Assert.Equal("", f.Err);
            Assert.False(File.Exists($"{f.Prefix}/lib/ipmp/ipmp.dll"));
        }
        else
        {
            Assert.Contains("NativeAOT publish failed", f.Err);
            Assert.True(File.Exists($"{f.Prefix}/lib/ipmp/ipmp.dll"));
        }
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "*Tests*"));

        var (exit, stdout, stderr) = InstallRun.Program($"{f.Prefix}/bin/ipmp", f.NoDaemonSocket,
            "check-config", "--config-dir", $"{f.Prefix}/share/ipmp/examples");
        Assert.Equal("", stderr);
        Assert.Equal(0, exit);
        Assert.Contains("interface eth0: group ipmp0", stdout);

        (exit, _, stderr) = InstallRun.Program($"{f.Prefix}/bin/ipmpstat", f.NoDaemonSocket, "-g");
        Assert.Equal("ipmpstat: cannot contact the ipmp daemon -- is IPMP in use?\n", stderr);
        Assert.Equal(1, exit);
    }
}
