using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

public class Ipv6ConfigTests
{
    [Fact]
    public void Nofailover_on_the_interface_line_probes_from_link_local()
    {
        var result = Parse(("hostname6.eth0", "-failover group ipmp0 up\naddif 2001:db8::10/64 up\n"));
        Assert.Empty(result.Diagnostics);
        var eth0 = result.Config!.Interface("eth0");
        Assert.True(eth0.ProbeV6);
        Assert.Equal("ipmp0", eth0.Group);
        Assert.Equal([P("2001:db8::10/64")], eth0.DataAddresses.ToArray());
        Assert.Null(eth0.TestAddressV4);
    }

    [Fact]
    public void Ipv4_and_ipv6_files_merge_into_one_interface()
    {
        var config = Valid(
            ("hostname.eth0", "10.0.0.10/24 group ipmp0 up\naddif 10.0.0.20/24 deprecated -failover up\n"),
            ("hostname6.eth0", "-failover group ipmp0 up\naddif 2001:db8::10/64 up\n"));
        var eth0 = Assert.Single(config.Interfaces);
        Assert.Equal([P("10.0.0.10/24"), P("2001:db8::10/64")], eth0.DataAddresses.ToArray());
        Assert.Equal(P("10.0.0.20/24"), eth0.TestAddressV4);
        Assert.True(eth0.ProbeV6);
    }

    [Fact]
    public void Hostname6_may_leave_the_group_to_hostname()
    {
        var config = Valid(("hostname.eth0", "group ipmp0 up\n"), ("hostname6.eth0", "-failover up\n"));
        Assert.Equal("ipmp0", config.Interface("eth0").Group);
        Assert.True(config.Interface("eth0").ProbeV6);
    }

    [Fact]
    public void Bare_ipv6_address_defaults_to_64()
    {
        var config = Valid(("hostname6.eth0", "group ipmp0 up\naddif 2001:db8::10 up\n"));
        Assert.Equal([P("2001:db8::10/64")], config.Interface("eth0").DataAddresses.ToArray());
    }

    [Fact]
    public void Link_local_test_address_enables_ipv6_probing()
    {
        var config = Valid(("hostname6.eth0", "fe80::1/10 -failover group ipmp0 up\n"));
        Assert.True(config.Interface("eth0").ProbeV6);
        Assert.Empty(config.Interface("eth0").DataAddresses);
    }

    [Fact]
    public void Non_link_local_test_address_is_ignored_with_a_warning()
    {
        var result = Parse(("hostname6.eth0", "group ipmp0 up\naddif 2001:db8::99/64 -failover up\n"));
        var eth0 = result.Config!.Interface("eth0");
        Assert.False(eth0.ProbeV6);
        Assert.Empty(eth0.DataAddresses);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, 2), (d.Severity, d.Line));
        Assert.Contains("not link-local", d.Message);
    }

    [Fact]
    public void Nofailover_without_up_does_not_probe()
    {
        var result = Parse(("hostname6.eth0", "# no up\n-failover group ipmp0\n"));
        Assert.False(result.Config!.Interface("eth0").ProbeV6);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(2, d.Line);
        Assert.Contains("not marked 'up'", d.Message);
    }

    [Fact]
    public void Link_local_data_address_is_ignored()
    {
        var result = Parse(("hostname6.eth0", "group ipmp0 up\naddif fe80::5/64 up\n"));
        Assert.Empty(result.Config!.Interface("eth0").DataAddresses);
        Assert.Contains("link-local", Assert.Single(result.Diagnostics).Message);
    }

    [Fact]
    public void Same_link_local_on_two_interfaces_is_fine() =>
        Valid(("hostname6.eth0", "fe80::1 -failover group g up\n"), ("hostname6.eth1", "fe80::1 -failover group g up\n"));

    [Fact]
    public void Inet6_keyword_is_accepted_in_hostname6() =>
        Assert.True(Valid(("hostname6.eth0", "inet6 -failover group g up\n")).Interface("eth0").ProbeV6);

    [Fact]
    public void Ipv4_address_in_hostname6_is_an_error()
    {
        var error = SingleError(("hostname6.eth0", "group g up\naddif 10.0.0.1/24 up\n"));
        Assert.Equal(2, error.Line);
        Assert.Contains("expected an IPv6 address, found '10.0.0.1/24'", error.Message);
        Assert.Contains("hostname.eth0", error.Message);
    }

    [Fact]
    public void Netmask_in_hostname6_is_an_error()
    {
        var error = SingleError(("hostname6.eth0", "2001:db8::1 netmask 255.255.255.0 up\n"));
        Assert.Contains("'netmask' is IPv4-only", error.Message);
    }
}
