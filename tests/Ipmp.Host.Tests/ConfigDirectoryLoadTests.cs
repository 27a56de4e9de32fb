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
}
