using Ipmp.Core.Configuration;
using static Ipmp.Host.Tests.ConfigFiles;

namespace Ipmp.Host.Tests;

/// <summary>TRANSITIVE_PROBING in mpathd: yes/no as the other keys, no by default; keys a daemon does not know
/// are skipped (illumos defread looks up only the keys it is asked for), so the file stays portable.</summary>
public class TransitiveProbingSettingsTests
{
    [Fact]
    public void Off_unless_set()
    {
        Assert.False(DaemonSettings.Default.TransitiveProbing);
        Assert.False(Settings("FAILURE_DETECTION_TIME=1000\n").TransitiveProbing);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("YES", true)]
    [InlineData("no", false)]
    public void Yes_or_no(string value, bool expected)
    {
        var settings = Settings($"TRANSITIVE_PROBING={value}\n", out var diagnostics);
        Assert.Equal(expected, settings.TransitiveProbing);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void A_bad_value_keeps_the_default_with_the_illumos_style_warning()
    {
        var settings = Settings("TRANSITIVE_PROBING=true\n", out var diagnostics);
        Assert.False(settings.TransitiveProbing);
        Assert.Equal("Invalid value for TRANSITIVE_PROBING true", Assert.Single(diagnostics).Message);
    }

    [Fact]
    public void Unknown_keys_are_skipped_silently()
    {
        var settings = Settings("SOME_FUTURE_KEY=yes\nTRANSITIVE_PROBING=yes\nFAILBACK=no\n", out var diagnostics);
        Assert.True(settings.TransitiveProbing);
        Assert.False(settings.Failback);
        Assert.Empty(diagnostics);
    }
}
