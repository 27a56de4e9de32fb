using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

public class TestAddressTests
{
    [Fact]
    public void Addif_deprecated_nofailover_up_is_the_test_address()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover up\n"));
        Assert.Empty(result.Diagnostics);
        var eth0 = result.Config!.Interface("eth0");
        Assert.Equal(P("10.0.0.20/24"), eth0.TestAddressV4);
        Assert.Equal([P("10.0.0.10/24")], eth0.DataAddresses.ToArray());
    }

    [Fact]
    public void Solaris_10_probe_style_primary_test_address_and_addif_data()
    {
        var config = Valid(
            ("hostname.ce0", "192.168.10.20 netmask + broadcast + group ipmp0 deprecated -failover up \\\n  addif 192.168.10.10 netmask + broadcast + up\n"),
            ("hostname.ce1", "192.168.10.21 netmask + broadcast + group ipmp0 deprecated -failover standby up\n"));
        Assert.Equal(P("192.168.10.20/24"), config.Interface("ce0").TestAddressV4);
        Assert.Equal([P("192.168.10.10/24")], config.Interface("ce0").DataAddresses.ToArray());
        Assert.Equal(P("192.168.10.21/24"), config.Interface("ce1").TestAddressV4);
        Assert.True(config.Interface("ce1").Standby);
        Assert.Empty(config.Interface("ce1").DataAddresses);
    }

    [Fact]
    public void Standby_with_test_address_on_its_own_line()
    {
        var config = Valid(("hostname.eth1", "group ipmp0 standby up\naddif 10.0.0.21/24 deprecated -failover up\n"));
        var eth1 = config.Interface("eth1");
        Assert.True(eth1.Standby);
        Assert.Equal(P("10.0.0.21/24"), eth1.TestAddressV4);
        Assert.Empty(eth1.DataAddresses);
    }

    [Fact]
    public void Test_address_without_deprecated_is_used_with_a_warning()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 -failover up\n"));
        Assert.Equal(P("10.0.0.20/24"), result.Config!.Interface("eth0").TestAddressV4);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, 2), (d.Severity, d.Line));
        Assert.Contains("not 'deprecated'", d.Message);
    }

    [Fact]
    public void Deprecated_test_address_is_preferred_over_an_earlier_plain_one()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 -failover up\naddif 10.0.0.30/24 deprecated -failover up\n"));
        Assert.Equal(P("10.0.0.30/24"), result.Config!.Interface("eth0").TestAddressV4);
        Assert.Contains(result.Diagnostics, d => d.Line == 2 && d.Message.Contains("is not used"));
    }

    [Fact]
    public void Test_address_that_is_not_up_is_not_used()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover\n"));
        Assert.Null(result.Config!.Interface("eth0").TestAddressV4);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, 2), (d.Severity, d.Line));
        Assert.Contains("not marked 'up'", d.Message);
    }

    [Fact]
    public void Test_address_configured_down_is_not_used_with_a_note()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover down\n"));
        Assert.Null(result.Config!.Interface("eth0").TestAddressV4);
        Assert.Equal(DiagnosticSeverity.Info, Assert.Single(result.Diagnostics).Severity);
    }

    [Fact]
    public void Failover_undoes_nofailover()
    {
        var config = Valid(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 -failover failover up\n"));
        Assert.Null(config.Interface("eth0").TestAddressV4);
        Assert.Equal([P("10.0.0.20/24")], config.Interface("eth0").DataAddresses.ToArray());
    }

    [Fact]
    public void Nofailover_without_an_address_in_ipv4_warns()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 -failover up\n"));
        Assert.Null(result.Config!.Interface("eth0").TestAddressV4);
        Assert.Contains("no IPv4 test address", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Test_address_must_be_unique_in_its_group()
    {
        var error = SingleError(
            ("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover up\n"),
            ("hostname.eth1", "group ipmp0 up\n\naddif 10.0.0.20/24 deprecated -failover up\n"));
        Assert.Equal(("hostname.eth1", 3), (error.File, error.Line));
        Assert.Equal("test address 10.0.0.20 is not unique in group ipmp0: also configured at hostname.eth0:2", error.Message);
    }

    [Fact]
    public void Test_address_equal_to_a_data_address_is_an_error()
    {
        var error = SingleError(
            ("hostname.eth0", "10.0.0.20/24 group ipmp0 up\n"),
            ("hostname.eth1", "group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover up\n"));
        Assert.Equal("address 10.0.0.20 is configured twice: also at hostname.eth0:1", error.Message);
    }

    [Fact]
    public void Test_address_keeps_netmask_prefix()
    {
        var config = Valid(("hostname.eth0", "group ipmp0 up\naddif 10.0.0.20 netmask 255.255.0.0 deprecated -failover up\n"));
        Assert.Equal(P("10.0.0.20/16"), config.Interface("eth0").TestAddressV4);
    }
}
