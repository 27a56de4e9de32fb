using Ipmp.Core.Configuration;
using Ipmp.Host.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

public class MpathdSettingsTests
{
    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Missing_file_gives_illumos_defaults()
    {
        var config = Valid();
        Assert.Equal(DaemonSettings.Default, config.Settings);
        Assert.Equal(Ms(10000), config.Settings.FailureDetectionTime);
        Assert.True(config.Settings.Failback);
        Assert.True(config.Settings.TrackInterfacesOnlyWithGroups);
    }

    [Fact]
    public void Shipped_file_reads_cleanly()
    {
        var settings = Settings("""
            #
            # Time taken by mpathd to detect a NIC failure in ms.
            FAILURE_DETECTION_TIME=10000
            #
            FAILBACK=yes
            #
            TRACK_INTERFACES_ONLY_WITH_GROUPS=yes

            """, out var diagnostics);
        Assert.Equal(DaemonSettings.Default, settings);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void All_three_keys_are_read()
    {
        var settings = Settings("FAILURE_DETECTION_TIME=2000\nFAILBACK=no\nTRACK_INTERFACES_ONLY_WITH_GROUPS=no\n");
        Assert.Equal(new DaemonSettings(Ms(2000), false, false), settings);
    }

    [Theory]
    [InlineData("0x7d0", 2000)]
    [InlineData("03720", 2000)]
    [InlineData("2000ms", 2000)]
    [InlineData("2000 ", 2000)]
    [InlineData("100", 100)]
    [InlineData("2147483647", int.MaxValue)]
    public void Fdt_is_read_with_strtol_base_0(string value, int expectedMs)
    {
        var settings = Settings($"FAILURE_DETECTION_TIME={value}\n", out var diagnostics);
        Assert.Equal(Ms(expectedMs), settings.FailureDetectionTime);
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("08")]
    [InlineData("0x")]
    [InlineData("\"5000\"")]
    public void Fdt_of_zero_or_less_falls_back_to_default_with_illumos_message(string value)
    {
        var settings = Settings($"FAILURE_DETECTION_TIME={value}\n", out var diagnostics);
        Assert.Equal(Ms(10000), settings.FailureDetectionTime);
        var d = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(("mpathd", 1), (d.File, d.Line));
        Assert.Equal($"Invalid failure detection time {value}, assuming default of 10000 ms", d.Message);
    }

    [Theory]
    [InlineData("99")]
    [InlineData("1")]
    [InlineData("0x10")]
    [InlineData("010")]
    public void Fdt_below_100_is_raised_to_100_with_illumos_message(string value)
    {
        var settings = Settings($"# c\nFAILURE_DETECTION_TIME={value}\n", out var diagnostics);
        Assert.Equal(Ms(100), settings.FailureDetectionTime);
        var d = Assert.Single(diagnostics);
        Assert.Equal(2, d.Line);
        Assert.Equal($"Too small failure detection time of {value}, assuming minimum of 100 ms", d.Message);
    }

    [Theory]
    [InlineData("no", false)]
    [InlineData("NO", false)]
    [InlineData("No", false)]
    [InlineData("yes", true)]
    [InlineData("YES", true)]
    public void Yes_no_values_ignore_case(string value, bool expected)
    {
        var settings = Settings($"FAILBACK={value}\nTRACK_INTERFACES_ONLY_WITH_GROUPS={value}\n", out var diagnostics);
        Assert.Equal(expected, settings.Failback);
        Assert.Equal(expected, settings.TrackInterfacesOnlyWithGroups);
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("no ")]
    [InlineData("\"no\"")]
    [InlineData("n")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData(" no")]
    public void Bad_failback_keeps_default_with_illumos_message(string value)
    {
        var settings = Settings($"FAILBACK={value}\n", out var diagnostics);
        Assert.True(settings.Failback);
        var d = Assert.Single(diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal($"Invalid value for FAILBACK {value}", d.Message);
    }

    [Fact]
    public void Failback_no_with_trailing_space_is_invalid()
    {
        var settings = Settings("FAILBACK=no \n", out var diagnostics);
        Assert.True(settings.Failback);
        Assert.Equal("Invalid value for FAILBACK no ", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Crlf_file_leaves_cr_in_the_value_as_illumos_does()
    {
        var settings = Settings("FAILBACK=no\r\n", out var diagnostics);
        Assert.True(settings.Failback);
        Assert.Equal("Invalid value for FAILBACK no\r", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Bad_track_value_keeps_default_with_illumos_message()
    {
        var settings = Settings("TRACK_INTERFACES_ONLY_WITH_GROUPS=maybe\n", out var diagnostics);
        Assert.True(settings.TrackInterfacesOnlyWithGroups);
        Assert.Equal("Invalid value for TRACK_INTERFACES_ONLY_WITH_GROUPS maybe", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Lower_case_keys_are_read()
    {
        var settings = Settings("failure_detection_time=500\nfailback=no\ntrack_interfaces_only_with_groups=no\n");
        Assert.Equal(new DaemonSettings(Ms(500), false, false), settings);
    }

    [Fact]
    public void First_match_wins_even_when_it_is_invalid()
    {
        var settings = Settings("FAILBACK=nope\nFAILBACK=no\n", out var diagnostics);
        Assert.True(settings.Failback);
        Assert.Equal(1, Assert.Single(diagnostics).Line);
    }

    [Fact]
    public void First_match_wins_for_fdt() =>
        Assert.Equal(Ms(300), Settings("FAILURE_DETECTION_TIME=300\nFAILURE_DETECTION_TIME=900\n").FailureDetectionTime);

    [Fact]
    public void Long_line_ends_the_scan_and_is_explained()
    {
        var longComment = "#" + new string('-', 1100);
        var settings = Settings($"FAILBACK=no\n{longComment}\nFAILURE_DETECTION_TIME=500\n", out var diagnostics);
        Assert.False(settings.Failback);
        Assert.Equal(Ms(10000), settings.FailureDetectionTime);
        var d = Assert.Single(diagnostics);
        Assert.Equal((DiagnosticSeverity.Warning, 2), (d.Severity, d.Line));
        Assert.Contains("every line after it are ignored", d.Message);
    }

    [Fact]
    public void Unterminated_last_line_is_ignored_and_explained()
    {
        var settings = Settings("FAILURE_DETECTION_TIME=500\nFAILBACK=no", out var diagnostics);
        Assert.Equal(Ms(500), settings.FailureDetectionTime);
        Assert.True(settings.Failback);
        var d = Assert.Single(diagnostics);
        Assert.Equal(2, d.Line);
        Assert.Contains("no newline", d.Message);
    }

    [Fact]
    public void Unterminated_trailing_comment_is_not_worth_a_warning()
    {
        Settings("FAILBACK=no\n# end", out var diagnostics);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Blanks_before_equals_are_not_read_and_explained()
    {
        var settings = Settings("FAILBACK = no\n", out var diagnostics);
        Assert.True(settings.Failback);
        var d = Assert.Single(diagnostics);
        Assert.Contains("no blanks before '='", d.Message);
    }

    [Fact]
    public void Leading_tab_is_not_read_and_explained()
    {
        var settings = Settings("\tFAILBACK=no\n", out var diagnostics);
        Assert.True(settings.Failback);
        Assert.Contains("not tabs", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Leading_spaces_are_fine() =>
        Assert.False(Settings("    FAILBACK=no\n").Failback);

    [Fact]
    public void Unknown_keys_are_ignored_like_illumos()
    {
        Settings("FOO=bar\nFAILBACK=no\n", out var diagnostics);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Bad_mpathd_values_never_reject_the_configuration()
    {
        var result = Parse(("mpathd", "FAILURE_DETECTION_TIME=-1\nFAILBACK=x\nTRACK_INTERFACES_ONLY_WITH_GROUPS=y\n"),
            ("hostname.ce0", "192.168.10.10 group ipmp0 up"));
        Assert.NotNull(result.Config);
        Assert.Equal(3, result.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning));
    }
}
