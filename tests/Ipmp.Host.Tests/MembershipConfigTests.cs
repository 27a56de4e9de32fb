using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

/// <summary>Interfaces that can never be in a group, where the configuration alone can tell (the loopback
/// interface is "lo" in every namespace); other kinds are refused by the daemon when it sees the link.</summary>
public class MembershipConfigTests
{
    [Fact]
    public void Hostname_lo_in_a_group_is_an_error_naming_the_file_line_and_reason()
    {
        var error = SingleError(("hostname.net0", "192.168.10.50/24 group ipmp0 up\n"),
            ("hostname.lo", "# loopback\n192.168.10.59/24 group ipmp0 up\n"));
        Assert.Equal((DiagnosticSeverity.Error, "hostname.lo", 2), (error.Severity, error.File, error.Line));
        Assert.Equal("lo is the loopback interface, which cannot be in an IPMP group (group 'ipmp0'): loopback, point-to-point, " +
            "non-multicast and NOARP interfaces are refused; remove 'group' or this file", error.Message);
        Assert.Equal("hostname.lo:2: " + error.Message, error.ToString());
    }

    [Fact]
    public void Hostname6_lo_in_a_group_is_refused_too() =>
        Assert.Equal("hostname6.lo", SingleError(("hostname6.lo", "-failover group ipmp0 up\n")).File);

    [Fact]
    public void Hostname_lo_without_a_group_is_not_about_ipmp_and_stays_allowed()
    {
        var config = Valid(("hostname.lo", "10.9.9.9/32 up\n"));
        Assert.False(config.Interface("lo").InNamedGroup);
    }
}
