using Ipmp.Host.Configuration;

namespace Ipmp.Host.Tests;

/// <summary>The file-system entry point, against a real temporary directory.</summary>
public sealed class ConfigDirectoryLoadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipmp-host-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, string content) => File.WriteAllText(Path.Combine(_dir, name), content);

    [Fact]
    public void Loads_mpathd_and_hostname_files()
    {
        Write("mpathd", "FAILURE_DETECTION_TIME=5000\nFAILBACK=no\n");
        Write("hostname.ce0", "192.168.10.10 netmask + broadcast + group ipmp0 up \\\naddif 192.168.10.11 netmask + broadcast + up\n");
        Write("hostname.ce1", "group ipmp0 standby up\n");
        Directory.CreateDirectory(Path.Combine(_dir, "subdir"));

        var result = ConfigDirectory.Load(_dir);

        Assert.Empty(result.Diagnostics);
        var config = result.Config!;
        Assert.Equal(TimeSpan.FromMilliseconds(5000), config.Settings.FailureDetectionTime);
        Assert.False(config.Settings.Failback);
        Assert.Equal(2, config.Interfaces.Length);
        Assert.True(config.FindInterface("ce1")!.Standby);
    }

    [Fact]
    public void Diagnostics_carry_the_full_path()
    {
        Write("hostname.eth0", "10.0.0.10/24 up\naddif group g\n");
        var error = Assert.Single(ConfigDirectory.Load(_dir).Errors);
        Assert.Equal(Path.Combine(_dir, "hostname.eth0"), error.File);
        Assert.Equal($"{Path.Combine(_dir, "hostname.eth0")}:2: expected an address after 'addif', found 'group'", error.ToString());
    }

    [Fact]
    public void Empty_directory_gives_defaults_and_nothing_to_manage()
    {
        var result = ConfigDirectory.Load(_dir);
        Assert.Empty(result.Diagnostics);
        Assert.Equal(Ipmp.Core.Configuration.IpmpConfig.Empty.Settings, result.Config!.Settings);
        Assert.Empty(result.Config.Interfaces);
        Assert.Empty(result.Config.Groups);
    }

    [Fact]
    public void Missing_directory_is_an_error()
    {
        var missing = Path.Combine(_dir, "nope");
        var result = ConfigDirectory.Load(missing);
        Assert.Null(result.Config);
        Assert.Equal((missing, 0), (Assert.Single(result.Diagnostics).File, result.Diagnostics[0].Line));
    }

    [Fact]
    public void Default_path_is_etc_ipmp() => Assert.Equal("/etc/ipmp", ConfigDirectory.DefaultPath);

    private const string Eth0 = "192.168.10.50/24 group ipmp0 up\n";

    private static void MakeFifo(string path)
    {
        using var p = System.Diagnostics.Process.Start("mkfifo", [path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Sockets_fifos_directories_and_odd_links_are_skipped_without_error()
    {
        Write("mpathd", "FAILBACK=no\n");
        Write("hostname.eth0", Eth0);
        // A control socket someone pointed into the directory, under a configuration name and under another.
        using var sock1 = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0);
        sock1.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_dir, "hostname.eth1")));
        using var sock2 = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0);
        sock2.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_dir, "ipmpd.sock")));
        // A FIFO would block a plain read forever.
        MakeFifo(Path.Combine(_dir, "hostname.eth2"));
        Directory.CreateDirectory(Path.Combine(_dir, "hostname.eth3"));
        Directory.CreateDirectory(Path.Combine(_dir, "examples"));
        File.CreateSymbolicLink(Path.Combine(_dir, "hostname6.eth0"), Path.Combine(_dir, "hostname.eth2"));
        File.CreateSymbolicLink(Path.Combine(_dir, "hostname.eth4"), Path.Combine(_dir, "nowhere"));
        // A link to a regular file is read like the file.
        File.WriteAllText(Path.Combine(_dir, "examples", "eth5"), "group ipmp0 standby up\n");
        File.CreateSymbolicLink(Path.Combine(_dir, "hostname.eth5"), Path.Combine(_dir, "examples", "eth5"));

        var result = ConfigDirectory.Load(_dir);

        Assert.Empty(result.Errors);
        var config = result.Config!;
        Assert.False(config.Settings.Failback);
        Assert.Equal(["eth0", "eth5"], config.Interfaces.Select(i => i.Name).Order());
        string Message(string name) => Assert.Single(result.Diagnostics, d => d.File == Path.Combine(_dir, name)).Message;
        Assert.Equal("ignored: not a regular file but a socket", Message("hostname.eth1"));
        Assert.Equal("ignored: not a regular file but a FIFO", Message("hostname.eth2"));
        Assert.Equal("ignored: not a regular file but a directory", Message("hostname.eth3"));
        Assert.Equal("ignored: not a regular file but a symbolic link to a FIFO", Message("hostname6.eth0"));
        Assert.Equal("ignored: not a regular file but a symbolic link to nothing", Message("hostname.eth4"));
        Assert.All(result.Diagnostics.Where(d => d.File.Contains("hostname")), d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
        Assert.Equal(DiagnosticSeverity.Info, Assert.Single(result.Diagnostics, d => d.File.EndsWith("ipmpd.sock")).Severity);
        Assert.DoesNotContain(result.Diagnostics, d => d.File.Contains("examples"));
    }

    [Fact]
    public void Editor_and_package_backups_are_not_read()
    {
        Write("hostname.eth0", Eth0);
        // Copies of the real file (read, they would configure interfaces "eth0~" etc. with the same address: an error).
        foreach (var backup in new[] { "hostname.eth0~", "hostname.eth0.orig", "hostname.eth0.bak", "hostname.eth0.old", "hostname6.eth0.save",
                     "hostname.eth0.dpkg-old", "hostname.eth0.rpmnew", "mpathd.dpkg-dist", "#hostname.eth0#" })
            Write(backup, Eth0 + "garbage\n");
        Write(".hostname.eth0.swp", "\0binary\0");
        // A VLAN interface's file is not a backup.
        Write("hostname.eth0.100", "192.168.20.50/24 group ipmp1 up\n");

        var result = ConfigDirectory.Load(_dir);

        Assert.Empty(result.Errors);
        Assert.Equal(["eth0", "eth0.100"], result.Config!.Interfaces.Select(i => i.Name).Order());
        var notes = result.Diagnostics.Where(d => d.Message.Contains("backup")).Select(d => Path.GetFileName(d.File)).ToList();
        Assert.Equal(9, notes.Count);
        Assert.All(result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        // Hidden files (an editor's swap file) are passed over in silence.
        Assert.DoesNotContain(result.Diagnostics, d => d.File.Contains(".swp"));
    }
}
