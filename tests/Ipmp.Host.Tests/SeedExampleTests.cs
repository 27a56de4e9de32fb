using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

/// <summary>The link-based-only examples from the Solaris 10 IPMP document (seed 001), verbatim.</summary>
public class SeedExampleTests
{
    private const string Ce0 = "192.168.10.10 netmask + broadcast + group ipmp0 up\n";
    private const string Ce0WithLogical = "192.168.10.10 netmask + broadcast + group ipmp0 up \\\naddif 192.168.10.11 netmask + broadcast + up\n";
    private const string Member = "group ipmp0 up\n";
    private const string Standby = "group ipmp0 standby up\n";

    [Fact]
    public void Single_interface()
    {
        var result = Parse(("hostname.ce0", Ce0));
        Assert.Empty(result.Diagnostics);
        var config = result.Config!;
        var ce0 = config.Interface("ce0");
        Assert.Equal("ipmp0", ce0.Group);
        Assert.False(ce0.Standby);
        Assert.Equal([P("192.168.10.10/24")], ce0.DataAddresses.ToArray());
        Assert.Null(ce0.TestAddressV4);
        Assert.False(ce0.ProbeV6);
        Assert.Equal("ipmp0", Assert.Single(config.Groups).Name);
        Assert.Empty(config.Groups[0].DataAddresses);
    }

    [Fact]
    public void Two_interfaces_active_active()
    {
        var config = Valid(("hostname.ce0", Ce0), ("hostname.ce1", Member));
        Assert.Equal(["ce0", "ce1"], config.Interfaces.Select(i => i.Name));
        Assert.All(config.Interfaces, i => Assert.Equal("ipmp0", i.Group));
        Assert.Empty(config.Interface("ce1").DataAddresses);
        Assert.Single(config.Groups);
    }

    [Fact]
    public void Two_interfaces_plus_logical_with_continuation()
    {
        var result = Parse(("hostname.ce0", Ce0WithLogical), ("hostname.ce1", Member));
        Assert.Empty(result.Diagnostics);
        Assert.Equal([P("192.168.10.10/24"), P("192.168.10.11/24")], result.Config!.Interface("ce0").DataAddresses.ToArray());
    }

    [Fact]
    public void Three_interfaces()
    {
        var config = Valid(("hostname.ce0", Ce0), ("hostname.ce1", Member), ("hostname.bge1", Member));
        Assert.Equal(["bge1", "ce0", "ce1"], config.Interfaces.Select(i => i.Name));
        Assert.All(config.Interfaces, i => Assert.Equal("ipmp0", i.Group));
        Assert.All(config.Interfaces, i => Assert.False(i.Standby));
    }

    [Fact]
    public void Active_standby_two_interfaces()
    {
        var result = Parse(("hostname.ce0", Ce0), ("hostname.ce1", Standby));
        Assert.Empty(result.Diagnostics);
        Assert.False(result.Config!.Interface("ce0").Standby);
        Assert.True(result.Config!.Interface("ce1").Standby);
    }

    [Fact]
    public void Active_standby_two_interfaces_plus_logical()
    {
        var config = Valid(("hostname.ce0", Ce0WithLogical), ("hostname.ce1", Standby));
        Assert.Equal(2, config.Interface("ce0").DataAddresses.Length);
        Assert.True(config.Interface("ce1").Standby);
        Assert.Empty(config.Interface("ce1").DataAddresses);
    }

    [Fact]
    public void Seed_file_lines_have_no_findings()
    {
        var result = Parse(("hostname.ce0", Ce0WithLogical), ("hostname.ce1", Standby), ("hostname.bge1", Member));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Interfaces_need_not_exist_on_this_host()
    {
        var config = Valid(("hostname.doesnotexist0", Ce0));
        Assert.NotNull(config.FindInterface("doesnotexist0"));
    }

    [Fact]
    public void Same_files_give_an_equal_configuration()
    {
        var a = Valid(("hostname.ce0", Ce0WithLogical), ("hostname.ce1", Standby));
        var b = Valid(("hostname.ce1", Standby), ("hostname.ce0", Ce0WithLogical));
        Assert.Equal(a.Interfaces.AsEnumerable(), b.Interfaces.AsEnumerable(), InterfaceComparer.Instance);
    }

    private sealed class InterfaceComparer : IEqualityComparer<Ipmp.Core.Configuration.InterfaceConfig>
    {
        public static readonly InterfaceComparer Instance = new();

        public bool Equals(Ipmp.Core.Configuration.InterfaceConfig? x, Ipmp.Core.Configuration.InterfaceConfig? y) =>
            x is not null && y is not null && x.Name == y.Name && x.Group == y.Group && x.Standby == y.Standby &&
            x.DataAddresses.SequenceEqual(y.DataAddresses) && x.TestAddressV4 == y.TestAddressV4 && x.ProbeV6 == y.ProbeV6;

        public int GetHashCode(Ipmp.Core.Configuration.InterfaceConfig obj) => obj.Name.GetHashCode();
    }
}
