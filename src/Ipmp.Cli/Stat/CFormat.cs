using System.Globalization;
using System.Numerics;

namespace Ipmp.Cli.Stat;

/// <summary>
/// The numeric formatting ipmpstat does with C's printf, reproduced exactly (invariant culture, no
/// locale): <c>%.2f</c> of a <c>float</c> that was computed in single precision, as the illumos macros
/// <c>NS2FLOATMS</c> and <c>MS2FLOATSEC</c> and the TIME column do.
/// </summary>
internal static class CFormat
{
    private const long NanosecondsPerTick = 100;

    /// <summary><c>printf("%.2f", d)</c>: the exact binary value rounded half-to-even, "-0.00" kept.</summary>
    public static string Fixed2(double value)
    {
        if (double.IsNaN(value))
            return double.IsNegative(value) ? "-nan" : "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";

        bool negative = double.IsNegative(value);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exponent == 0)
            exponent = 1;
        else
            mantissa |= 1L << 52;
        exponent -= 1075; // |value| = mantissa * 2^exponent

        BigInteger hundredths = new BigInteger(mantissa) * 100;
        if (exponent >= 0)
        {
            hundredths <<= exponent;
        }
        else
        {
            int shift = -exponent;
            BigInteger quotient = hundredths >> shift;
            BigInteger remainder = hundredths - (quotient << shift);
            BigInteger half = BigInteger.One << (shift - 1);
            if (remainder > half || (remainder == half && !quotient.IsEven))
                quotient += 1;
            hundredths = quotient;
        }

        string digits = hundredths.ToString(CultureInfo.InvariantCulture).PadLeft(3, '0');
        return (negative ? "-" : "") + digits[..^2] + "." + digits[^2..];
    }

    /// <summary>Nanoseconds of a <see cref="TimeSpan"/> (100 ns resolution), as an hrtime_t difference.</summary>
    public static long Nanoseconds(TimeSpan span) => span.Ticks * NanosecondsPerTick;

    /// <summary><c>%.2fms</c> of <c>NS2FLOATMS(ns)</c> = <c>(float)ns / 1000000</c>.</summary>
    public static string Milliseconds(TimeSpan span) => Fixed2((float)Nanoseconds(span) / 1_000_000f) + "ms";

    /// <summary><c>%.2fs</c> of <c>(float)ns / NANOSEC</c>, the -p TIME column.</summary>
    public static string Seconds(TimeSpan span) => Fixed2((float)Nanoseconds(span) / 1_000_000_000f) + "s";

    /// <summary><c>%.2fs</c> of <c>MS2FLOATSEC(ms)</c> = <c>(float)ms / 1000</c>, the -g FDT column.</summary>
    public static string SecondsFromMilliseconds(long milliseconds) => Fixed2((float)milliseconds / 1000f) + "s";
}
