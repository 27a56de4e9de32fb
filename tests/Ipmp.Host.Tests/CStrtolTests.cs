using Ipmp.Host.Configuration;

namespace Ipmp.Host.Tests;

public class CStrtolTests
{
    [Theory]
    [InlineData("10000", 10000)]
    [InlineData("0x2710", 10000)]
    [InlineData("0X2710", 10000)]
    [InlineData("023420", 10000)]
    [InlineData("10000ms", 10000)]
    [InlineData("  \t 500", 500)]
    [InlineData("+500", 500)]
    [InlineData("-500", -500)]
    [InlineData("08", 0)]
    [InlineData("019", 1)]
    [InlineData("0x", 0)]
    [InlineData("0xg", 0)]
    [InlineData("", 0)]
    [InlineData("abc", 0)]
    [InlineData("\"5000\"", 0)]
    [InlineData("- 5", 0)]
    [InlineData("99999999999", int.MaxValue)]
    [InlineData("-99999999999", int.MinValue)]
    [InlineData("2147483648", int.MaxValue)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("0x7fffffff", int.MaxValue)]
    public void Parses_like_32bit_strtol_base_0(string text, int expected) =>
        Assert.Equal(expected, CStrtol.Parse(text));
}
