using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

public class HostnameSyntaxTests
{
    [Fact]
    public void Comments_and_blank_lines_are_ignored()
    {
        var result = Parse(("hostname.eth0", "# data address\n\n   \n10.0.0.10/24 group ipmp0 up # the main one\n# end\n"));
        Assert.Empty(result.Diagnostics);
        Assert.Equal([P("10.0.0.10/24")], result.Config!.Interface("eth0").DataAddresses.ToArray());
    }

    [Fact]
    public void Hash_inside_a_word_is_not_a_comment() =>
        Assert.Equal("a#b", Valid(("hostname.eth0", "group a#b up\n")).Interface("eth0").Group);

    [Fact]
    public void Continuation_joins_lines_and_keeps_physical_line_numbers()
    {
        var error = SingleError(("hostname.eth0", "10.0.0.10/24 \\\n  group ipmp0 \\\n  bogus up\n"));
        Assert.Equal(3, error.Line);
        Assert.Contains("unknown keyword 'bogus'", error.Message);
    }

    [Fact]
    public void Continuation_without_a_space_glues_words_as_in_solaris()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group ipmp0 up\\\naddif 10.0.0.11 up\n"));
        var error = result.Errors.First();
        Assert.Equal(1, error.Line);
        Assert.Contains("unknown keyword 'upaddif'", error.Message);
        Assert.Contains("put one before the '\\'", error.Message);
        // Then 10.0.0.11 is a second address on the same command, as ifconfig would see it.
        Assert.Contains("point-to-point", result.Errors.Last().Message);
    }

    [Fact]
    public void Blanks_after_backslash_do_not_continue_and_are_reported()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group ipmp0 up \\  \naddif 10.0.0.11 up\n"));
        var config = result.Config!;
        // The second line is its own command: still an addif on eth0.
        Assert.Equal(2, config.Interface("eth0").DataAddresses.Length);
        Assert.Contains(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Line == 1 && d.Message.Contains("does not continue"));
    }

    [Fact]
    public void Comment_ending_in_backslash_swallows_the_next_line()
    {
        var result = Parse(("hostname.eth0", "group ipmp0 up # note \\\naddif 10.0.0.11 up\n"));
        Assert.Empty(result.Config!.Interface("eth0").DataAddresses);
        Assert.Contains(result.Diagnostics, d => d.Line == 1 && d.Message.Contains("part of the comment"));
    }

    [Fact]
    public void Crlf_line_ends_are_accepted() =>
        Assert.Single(Valid(("hostname.eth0", "10.0.0.10/24 group ipmp0 up\r\n")).Interface("eth0").DataAddresses);

    [Theory]
    [InlineData("10.0.0.10 up", 24)]
    [InlineData("10.0.0.10 netmask + up", 24)]
    [InlineData("10.0.0.10/20 netmask + up", 20)]
    [InlineData("10.0.0.10 netmask 255.255.0.0 up", 16)]
    [InlineData("10.0.0.10 netmask 0xfffff000 up", 20)]
    [InlineData("10.0.0.10/24 netmask 255.0.0.0 up", 8)]
    [InlineData("netmask 255.255.255.128 10.0.0.10 up", 25)]
    [InlineData("10.0.0.10/32 up", 32)]
    public void Prefix_comes_from_len_or_netmask_else_24(string line, int expected) =>
        Assert.Equal(expected, Valid(("hostname.eth0", line)).Interface("eth0").DataAddresses.Single().PrefixLength);

    [Fact]
    public void Broadcast_address_is_accepted_and_ignored() =>
        Valid(("hostname.eth0", "10.0.0.10 netmask 255.255.255.0 broadcast 10.0.0.255 up"));

    [Fact]
    public void Plumb_mtu_inet_and_link_flags_are_accepted() =>
        Assert.Single(Valid(("hostname.eth0", "inet plumb 10.0.0.10/24 mtu 9000 -arp metric 1 router group g up\n")).Interface("eth0").DataAddresses);

    [Fact]
    public void Data_address_configured_down_is_skipped_with_a_note()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group g up\naddif 10.0.0.11/24 down\n"));
        Assert.Equal([P("10.0.0.10/24")], result.Config!.Interface("eth0").DataAddresses.ToArray());
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Info, 2), (d.Severity, d.Line));
        Assert.Contains("'down'", d.Message);
    }

    [Fact]
    public void Data_address_without_up_is_skipped_with_a_warning()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group g up\naddif 10.0.0.11/24\n"));
        Assert.Single(result.Config!.Interface("eth0").DataAddresses);
        Assert.Equal(DiagnosticSeverity.Warning, Assert.Single(result.Diagnostics).Severity);
    }

    [Fact]
    public void Up_then_down_leaves_the_address_down() =>
        Assert.Empty(Valid(("hostname.eth0", "10.0.0.10/24 group g up down")).Interface("eth0").DataAddresses);

    [Fact]
    public void Keywords_after_addif_apply_to_the_new_address_only()
    {
        var config = Valid(("hostname.eth0", "10.0.0.10/24 up addif 10.0.0.20/24 deprecated -failover up group g"));
        var eth0 = config.Interface("eth0");
        Assert.Equal([P("10.0.0.10/24")], eth0.DataAddresses.ToArray());
        Assert.Equal(P("10.0.0.20/24"), eth0.TestAddressV4);
        Assert.Equal("g", eth0.Group); // group is interface-wide even after addif
    }

    [Fact]
    public void Each_line_starts_again_at_the_interface_address()
    {
        var config = Valid(("hostname.eth0", "10.0.0.10/24 group g\naddif 10.0.0.11/24 up\nup\n"));
        Assert.Equal([P("10.0.0.10/24"), P("10.0.0.11/24")], config.Interface("eth0").DataAddresses.ToArray());
    }

    [Fact]
    public void Address_on_a_later_line_replaces_the_interface_address_with_a_warning()
    {
        var result = Parse(("hostname.eth0", "10.0.0.10/24 group g up\n10.0.0.12/24 up\n"));
        Assert.Equal([P("10.0.0.12/24")], result.Config!.Interface("eth0").DataAddresses.ToArray());
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, 2), (d.Severity, d.Line));
        Assert.Contains("replaces 10.0.0.10 set on line 1", d.Message);
    }

    [Fact]
    public void Zero_address_means_no_address() =>
        Assert.Empty(Valid(("hostname.ce1", "0.0.0.0 group ipmp0 up")).Interface("ce1").DataAddresses);

    [Fact]
    public void Minus_standby_clears_standby() =>
        Assert.False(Valid(("hostname.eth0", "group g standby\n-standby up\n")).Interface("eth0").Standby);

    [Fact]
    public void Interface_without_group_is_still_configured()
    {
        var eth0 = Valid(("hostname.eth0", "10.0.0.10/24 up\naddif 10.0.0.20/24 deprecated -failover up\n")).Interface("eth0");
        Assert.Null(eth0.Group);
        Assert.False(eth0.InNamedGroup);
        Assert.Equal(P("10.0.0.20/24"), eth0.TestAddressV4);
    }

    [Fact]
    public void Empty_quoted_group_means_no_group() =>
        Assert.Null(Valid(("hostname.eth0", "group \"\" up")).Interface("eth0").Group);

    [Fact]
    public void Logical_interface_file_adds_to_its_interface()
    {
        var config = Valid(("hostname.ce0", "10.0.0.10 group g up\n"), ("hostname.ce0:1", "10.0.0.11 up\n"));
        var ce0 = Assert.Single(config.Interfaces);
        Assert.Equal([P("10.0.0.10/24"), P("10.0.0.11/24")], ce0.DataAddresses.ToArray());
    }

    [Fact]
    public void Set_keyword_sets_the_address() =>
        Assert.Single(Valid(("hostname.eth0", "set 10.0.0.10/24 up")).Interface("eth0").DataAddresses);

    [Fact]
    public void Empty_file_configures_the_interface_with_nothing()
    {
        var eth0 = Valid(("hostname.eth0", "")).Interface("eth0");
        Assert.Empty(eth0.DataAddresses);
        Assert.Null(eth0.Group);
    }

    [Fact]
    public void Other_files_are_ignored_with_a_note()
    {
        var result = Parse(("README", "hello"), ("hostname.eth0", "group g up"));
        Assert.NotNull(result.Config);
        Assert.Equal(("README", DiagnosticSeverity.Info), (Assert.Single(result.Diagnostics).File, result.Diagnostics[0].Severity));
    }
}
