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

    /// <summary>The installed NativeAOT executable's directory, or null when the install fell back to the JIT build.</summary>
    public string? NativeAotDirectory =>
        File.Exists($"{Prefix}/lib/ipmp/ipmp") && !File.Exists($"{Prefix}/lib/ipmp/ipmp.dll") ? $"{Prefix}/lib/ipmp" : null;

    public void Dispose() => _dir.Dispose();
}

/// <summary>One NativeAOT publish for the install test and the Debian package test (it takes minutes).</summary>
[CollectionDefinition(Name)]
public sealed class PublishCollection : ICollectionFixture<PublishInstallFixture>
{
    public const string Name = "NativeAOT publish";
}

[Collection(PublishCollection.Name)]
public class PublishInstallTests(PublishInstallFixture f)
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
        // No debug symbols ship (portable PDBs, the NativeAOT .dbg), and nothing of the developer tools.
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "*.pdb", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "*.dbg", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "Ipmp.Bench*"));
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "Ipmp.Lab*"));
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "Ipmp.Simulation*"));
        Assert.Empty(Directory.GetFiles($"{f.Prefix}/lib/ipmp", "ipmp-dev*"));

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
