using System.Net;
using Ipmp.Cli.Stat;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>printf("%.2f") and address text, as C and inet_ntop produce them.</summary>
public sealed class FormattingTests
{
    [Theory]
    [InlineData(0.0, "0.00")]
    [InlineData(0.125, "0.12")]   // exactly representable tie: round half to even, as glibc does
    [InlineData(0.375, "0.38")]
    [InlineData(2.675, "2.67")]   // really 2.67499999...
    [InlineData(-0.001, "-0.00")]
    [InlineData(-0.42, "-0.42")]
    [InlineData(10.0, "10.00")]
    [InlineData(123456.789, "123456.79")]
    [InlineData(1e20, "100000000000000000000.00")]
    [InlineData(5e-324, "0.00")]
    public void Fixed2MatchesPrintf(double value, string expected) => Assert.Equal(expected, CFormat.Fixed2(value));

    [Fact]
    public void ValuesGoThroughSinglePrecisionLikeTheIllumosMacros()
    {
        Assert.Equal("10.00s", CFormat.SecondsFromMilliseconds(10_000));
        Assert.Equal("0.51ms", CFormat.Milliseconds(TimeSpan.FromTicks(5_100)));
        Assert.Equal("-0.42s", CFormat.Seconds(TimeSpan.FromMilliseconds(-420)));
        // 0.125 s is exact in single precision and is a tie: printf rounds it to the even "0.12s".
        Assert.Equal("0.12s", CFormat.Seconds(TimeSpan.FromMilliseconds(125)));
    }

    [Theory]
    [InlineData("fe80:0:0:0:214:4fff:fe21:f0c8", "fe80::214:4fff:fe21:f0c8")]
    [InlineData("FE80::1%5", "fe80::1")]
    [InlineData("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1")]
    [InlineData("::", "::")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("192.168.10.1", "192.168.10.1")]
    public void NumericAddresses(string input, string expected) =>
        Assert.Equal(expected, AddressText.Numeric(IPAddress.Parse(input)));

    [Theory]
    [InlineData("host.example.com", "example.com", "host")]
    [InlineData("host.example.com.", "EXAMPLE.com", "host")]
    [InlineData("host.other.org", "example.com", "host.other.org")]
    [InlineData("host.example.com", null, "host.example.com")]
    [InlineData("host", "example.com", "host")]
    public void NoFqdnStripsOnlyTheLocalDomain(string name, string? domain, string expected) =>
        Assert.Equal(expected, LibcHostNameResolver.StripLocalDomain(name, domain));

    [Fact]
    public void DefaultResolverFallsBackToNullOrANameWithoutThrowing()
    {
        string? name = LibcHostNameResolver.Instance.TryGetHostName(IPAddress.Parse("192.0.2.1"));
        Assert.True(name is null || name.Length > 0);
    }
}
