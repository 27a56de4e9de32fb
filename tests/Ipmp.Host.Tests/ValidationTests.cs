using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

public class ValidationTests
{
    [Fact]
    public void Hostname_and_hostname6_naming_different_groups_is_an_error()
    {
        var error = SingleError(("hostname.eth0", "group a up\n"), ("hostname6.eth0", "# v6\n-failover group b up\n"));
        Assert.Equal(("hostname6.eth0", 2), (error.File, error.Line));
        Assert.Equal("interface eth0 is put in group 'b' here but in group 'a' at hostname.eth0:1; an interface can be in one group only", error.Message);
    }

    [Fact]
    public void Same_data_address_on_two_interfaces_is_an_error()
    {
        var error = SingleError(("hostname.eth0", "10.0.0.10/24 group g up\n"), ("hostname.eth1", "10.0.0.10/24 group g up\n"));
        Assert.Equal(("hostname.eth1", 1), (error.File, error.Line));
        Assert.Equal("address 10.0.0.10 is configured twice: also at hostname.eth0:1", error.Message);
    }

    [Fact]
    public void Same_data_address_twice_on_one_interface_is_an_error() =>
        Assert.Equal(2, SingleError(("hostname.eth0", "10.0.0.10/24 group g up\naddif 10.0.0.10/24 up\n")).Line);

    [Fact]
    public void Same_address_with_different_prefix_is_still_the_same_address() =>
        SingleError(("hostname.eth0", "10.0.0.10/24 up\n"), ("hostname.eth1", "10.0.0.10/16 up\n"));

    [Fact]
    public void Same_ipv6_data_address_twice_is_an_error() =>
        SingleError(("hostname6.eth0", "addif 2001:db8::1/64 up\n"), ("hostname6.eth1", "addif 2001:db8::1/64 up\n"));

    [Fact]
    public void Same_test_address_in_different_groups_is_still_a_duplicate() =>
        Assert.Contains("configured twice", SingleError(
            ("hostname.eth0", "group a up\naddif 10.0.0.20 deprecated -failover up\n"),
            ("hostname.eth1", "group b up\naddif 10.0.0.20 deprecated -failover up\n")).Message);

    [Fact]
    public void A_down_duplicate_is_not_configured_so_not_a_conflict() =>
        Valid(("hostname.eth0", "10.0.0.10/24 group g up\n"), ("hostname.eth1", "10.0.0.10/24 group g down\n"));

    [Fact]
    public void Standby_disagreement_between_files_warns_and_hostname6_wins()
    {
        var result = Parse(("hostname.eth0", "group g standby up\n"), ("hostname6.eth0", "-standby -failover up\n"));
        Assert.False(result.Config!.Interface("eth0").Standby);
        Assert.Contains(result.Diagnostics, d => d.File == "hostname6.eth0" && d.Message.Contains("overrides"));
    }

    [Fact]
    public void Standby_without_group_warns() =>
        Assert.Contains("not in a group", Assert.Single(Parse(("hostname.eth0", "standby up")).Diagnostics).Message);

    [Fact]
    public void Groups_are_listed_once_in_name_order()
    {
        var config = Valid(("hostname.e1", "group zeta up"), ("hostname.e2", "group alpha up"), ("hostname.e3", "group zeta up"));
        Assert.Equal(["alpha", "zeta"], config.Groups.Select(g => g.Name));
    }
}
