using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

/// <summary>Bad hostname files: one error each, naming the file and line and saying what was expected.</summary>
public class BadInputTests
{
    [Fact]
    public void Addif_followed_by_a_keyword()
    {
        var error = SingleError(("hostname.eth0", "# eth0\n10.0.0.10/24 group ipmp0 up\naddif group ipmp0 up\n"));
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
        Assert.Equal("hostname.eth0:3: expected an address after 'addif', found 'group'", error.ToString());
    }

    [Fact]
    public void Addif_at_end_of_line() =>
        Assert.Equal("hostname.eth0:1: expected an address after 'addif', found end of line",
            SingleError(("hostname.eth0", "10.0.0.10/24 up addif")).ToString());

    [Fact]
    public void Addif_with_a_host_name() =>
        Assert.Contains("found 'myhost' (host names are not resolved)",
            SingleError(("hostname.eth0", "addif myhost up")).Message);

    [Fact]
    public void Unknown_keyword_is_named()
    {
        var error = SingleError(("hostname.eth0", "10.0.0.10/24 group ipmp0\nstandbye up\n"));
        Assert.Equal(("hostname.eth0", 2), (error.File, error.Line));
        Assert.StartsWith("unknown keyword 'standbye'", error.Message);
    }

    [Fact]
    public void Host_name_as_address_is_an_unknown_keyword() =>
        Assert.Contains("host names are not resolved", SingleError(("hostname.eth0", "myhost netmask + up")).Message);

    [Fact]
    public void Unsupported_keyword_says_so() =>
        Assert.Equal("'dhcp' is a Solaris ifconfig keyword that this loader does not support",
            SingleError(("hostname.eth0", "dhcp")).Message);

    [Theory]
    [InlineData("10.0.0.300/24 up", "not a valid IPv4 address")]
    [InlineData("10.0.0.1/33 up", "bad prefix length; expected /0 to /32")]
    [InlineData("10.0.0.1/ up", "bad prefix length")]
    [InlineData("10.0.1 up", "not a dotted-quad")]
    [InlineData("2001:db8::zz up", "not a valid IPv6 address")]
    [InlineData("224.0.0.5 up", "multicast")]
    [InlineData("127.0.0.1 up", "loopback")]
    public void Malformed_address(string line, string expected)
    {
        var file = line.Contains("2001") ? "hostname6.eth0" : "hostname.eth0";
        var error = SingleError((file, line));
        Assert.Equal(1, error.Line);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Ipv6_address_in_hostname_points_to_hostname6() =>
        Assert.Contains("hostname6.eth0", SingleError(("hostname.eth0", "2001:db8::1/64 up")).Message);

    [Fact]
    public void Group_without_name() =>
        Assert.Equal("hostname.eth0:1: expected a group name after 'group', found end of line",
            SingleError(("hostname.eth0", "10.0.0.1 up group")).ToString());

    [Fact]
    public void Group_followed_by_a_keyword() =>
        Assert.Equal("expected a group name after 'group', found 'standby'",
            SingleError(("hostname.eth0", "group standby up")).Message);

    [Fact]
    public void Group_name_too_long() =>
        Assert.Contains("too long", SingleError(("hostname.eth0", $"group {new string('g', 32)} up")).Message);

    [Theory]
    [InlineData("10.0.0.1 netmask", "expected a netmask after 'netmask', found end of line")]
    [InlineData("10.0.0.1 netmask 255.0.255.0 up", "not contiguous")]
    [InlineData("10.0.0.1 netmask bogus up", "expected a netmask (a.b.c.d, 0xhhhhhhhh or '+') after 'netmask', found 'bogus'")]
    [InlineData("10.0.0.1 broadcast up", "expected a broadcast address or '+' after 'broadcast', found 'up'")]
    [InlineData("10.0.0.1 mtu big up", "expected an MTU (68 to 65535) after 'mtu', found 'big'")]
    [InlineData("10.0.0.1 mtu", "expected an MTU after 'mtu', found end of line")]
    public void Keyword_arguments(string line, string expected) =>
        Assert.Contains(expected, SingleError(("hostname.eth0", line)).Message);

    [Fact]
    public void Two_addresses_in_one_command() =>
        Assert.Contains("point-to-point", SingleError(("hostname.eth0", "10.0.0.1 10.0.0.2 up")).Message);

    [Fact]
    public void Inet6_in_an_ipv4_file() =>
        Assert.Contains("'inet6' does not belong in hostname.eth0", SingleError(("hostname.eth0", "inet6 up")).Message);

    [Theory]
    [InlineData("hostname.")]
    [InlineData("hostname6.")]
    [InlineData("hostname.averyveryverylongname0")]
    [InlineData("hostname.eth0:x")]
    [InlineData("hostname.eth0:0")]
    public void Bad_interface_name_in_file_name(string fileName)
    {
        var error = SingleError((fileName, "up"));
        Assert.Equal((fileName, 0), (error.File, error.Line));
    }

    [Fact]
    public void Errors_in_several_files_are_all_reported_in_file_and_line_order()
    {
        var result = Parse(
            ("hostname.eth1", "bogus1\n\nbogus3\n"),
            ("hostname.eth0", "x1 up"));
        Assert.Null(result.Config);
        Assert.Equal(["hostname.eth0:1", "hostname.eth1:1", "hostname.eth1:3"],
            result.Errors.Select(e => $"{e.File}:{e.Line}"));
    }

    [Fact]
    public void Warnings_alone_keep_the_configuration()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group g up\naddif 10.0.0.11/24\n"));
        Assert.NotNull(result.Config);
        Assert.False(result.HasErrors);
        Assert.NotEmpty(result.Diagnostics);
    }
}
