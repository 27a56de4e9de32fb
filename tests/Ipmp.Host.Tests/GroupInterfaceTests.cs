using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

/// <summary>Solaris 11 style: the group's data addresses live in hostname.&lt;ipmp-if&gt;.</summary>
public class GroupInterfaceTests
{
    private static readonly (string, string)[] Members =
    [
        ("hostname.net0", "group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover up\n"),
        ("hostname.net1", "group ipmp0 standby up\naddif 10.0.0.21/24 deprecated -failover up\n"),
    ];

    [Fact]
    public void Ipmp_keyword_file_gives_group_data_addresses()
    {
        var result = Parse([("hostname.ipmp0", "ipmp group ipmp0 10.0.0.100/24 up\naddif 10.0.0.101/24 up\n"), ("hostname.net0", "group ipmp0 up\n")]);
        Assert.Empty(result.Diagnostics);
        var config = result.Config!;
        Assert.Equal([P("10.0.0.100/24"), P("10.0.0.101/24")], config.Group("ipmp0").DataAddresses.ToArray());
        Assert.Null(config.FindInterface("ipmp0"));
        Assert.Equal("ipmp0", config.Interface("net0").Group);
    }

    [Fact]
    public void Group_name_defaults_to_the_interface_name()
    {
        var config = Valid(("hostname.ipmp0", "ipmp 10.0.0.100/24 up\n"), ("hostname.net0", "group ipmp0 up\n"));
        Assert.Equal([P("10.0.0.100/24")], config.Group("ipmp0").DataAddresses.ToArray());
    }

    [Fact]
    public void Group_name_from_the_group_keyword()
    {
        var config = Valid(("hostname.ipmp0", "ipmp group prod 10.0.0.100/24 up\n"), ("hostname.net0", "group prod up\n"));
        Assert.Equal("prod", Assert.Single(config.Groups).Name);
        Assert.Single(config.Group("prod").DataAddresses);
    }

    [Fact]
    public void File_named_after_a_member_group_is_the_ipmp_interface_without_the_keyword()
    {
        var result = Parse([("hostname.ipmp0", "10.0.0.100/24 up\n"), .. Members]);
        var config = result.Config!;
        Assert.Equal([P("10.0.0.100/24")], config.Group("ipmp0").DataAddresses.ToArray());
        Assert.Null(config.FindInterface("ipmp0"));
        var note = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Info, "hostname.ipmp0", 0), (note.Severity, note.File, note.Line));
    }

    [Fact]
    public void Ipmp_interface_with_ipv4_and_ipv6_files()
    {
        var config = Valid(
            ("hostname.ipmp0", "ipmp group ipmp0 10.0.0.100/24 up\n"),
            ("hostname6.ipmp0", "ipmp group ipmp0 up\naddif 2001:db8::100/64 up\n"),
            ("hostname.net0", "group ipmp0 up\n"));
        Assert.Equal([P("10.0.0.100/24"), P("2001:db8::100/64")], config.Group("ipmp0").DataAddresses.ToArray());
    }

    [Fact]
    public void Members_keep_their_own_test_addresses()
    {
        var config = Valid([("hostname.ipmp0", "ipmp group ipmp0 10.0.0.100/24 up\n"), .. Members]);
        Assert.Equal(P("10.0.0.20/24"), config.Interface("net0").TestAddressV4);
        Assert.True(config.Interface("net1").Standby);
    }

    [Fact]
    public void Standby_on_ipmp_interface_is_an_error()
    {
        var error = SingleError(("hostname.ipmp0", "ipmp group ipmp0\nstandby\n"), ("hostname.net0", "group ipmp0 up\n"));
        Assert.Equal(("hostname.ipmp0", 2), (error.File, error.Line));
        Assert.Contains("'standby' is for underlying interfaces", error.Message);
    }

    [Fact]
    public void Test_address_on_ipmp_interface_is_an_error()
    {
        var error = SingleError(("hostname.ipmp0", "ipmp group ipmp0 10.0.0.100/24 -failover up\n"), ("hostname.net0", "group ipmp0 up\n"));
        Assert.Contains("'-failover' (a test address) is for underlying interfaces", error.Message);
    }

    [Fact]
    public void Two_ipmp_interfaces_for_one_group_is_an_error()
    {
        var error = SingleError(
            ("hostname.ipmp0", "ipmp group g 10.0.0.100/24 up\n"),
            ("hostname.ipmp1", "ipmp group g 10.0.0.101/24 up\n"),
            ("hostname.net0", "group g up\n"));
        Assert.Equal("hostname.ipmp1", error.File);
        Assert.Contains("already has the IPMP interface ipmp0", error.Message);
    }

    [Fact]
    public void Group_without_members_warns()
    {
        var result = Parse(("hostname.ipmp0", "ipmp 10.0.0.100/24 up\n"));
        Assert.NotNull(result.Config);
        Assert.Contains("no member interfaces", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Group_data_address_also_on_a_member_is_an_error()
    {
        var error = SingleError(("hostname.ipmp0", "ipmp 10.0.0.100/24 up\n"), ("hostname.net0", "10.0.0.100/24 group ipmp0 up\n"));
        Assert.Contains("configured twice", error.Message);
    }

    [Fact]
    public void Member_naming_its_own_group_after_itself_stays_a_member()
    {
        var config = Valid(("hostname.ce0", "10.0.0.1 group ce0 up\n"), ("hostname.ce1", "group ce0 up\n"));
        Assert.Equal(2, config.Interfaces.Length);
        Assert.Empty(config.Group("ce0").DataAddresses);
    }

    [Fact]
    public void Ipmp_on_a_logical_interface_file_is_an_error() =>
        Assert.Contains("not to a logical interface", SingleError(("hostname.ipmp0:1", "ipmp 10.0.0.1 up\n")).Message);
}
