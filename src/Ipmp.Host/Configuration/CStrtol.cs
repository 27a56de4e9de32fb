namespace Ipmp.Host.Configuration;

/// <summary>
/// C <c>strtol(s, NULL, 0)</c> for a 32-bit <c>long</c>: in.mpathd is built as a 32-bit program
/// (plain Makefile.cmd), so out-of-range values clamp to INT_MIN/INT_MAX, and the <c>(int)</c> cast in
/// in.mpathd changes nothing.
/// </summary>
internal static class CStrtol
{
    /// <summary>
    /// Leading white space is skipped, a sign is allowed, "0x"/"0X" followed by a hex digit selects base 16,
    /// a leading "0" base 8, else base 10. Parsing stops at the first character that is not a digit of the
    /// base, so "10000ms" is 10000, "08" is 0 and "0x" is 0. No digits at all gives 0.
    /// </summary>
    public static int Parse(string s)
    {
        var i = 0;
        while (i < s.Length && IsCSpace(s[i])) i++;

        var negative = false;
        if (i < s.Length && s[i] is '+' or '-')
        {
            negative = s[i] == '-';
            i++;
        }

        var radix = 10;
        if (i + 2 < s.Length && s[i] == '0' && s[i + 1] is 'x' or 'X' && DigitValue(s[i + 2]) < 16)
        {
            radix = 16;
            i += 2;
        }
        else if (i < s.Length && s[i] == '0')
        {
            radix = 8;
        }

        long magnitude = 0;
        for (; i < s.Length; i++)
        {
            var digit = DigitValue(s[i]);
            if (digit >= radix) break;
            // Saturate instead of overflowing: strtol returns LONG_MAX/LONG_MIN with ERANGE.
            magnitude = Math.Min(magnitude * radix + digit, (long)int.MaxValue + 1);
        }

        var value = negative ? -magnitude : magnitude;
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    /// <summary>isspace() in the C locale.</summary>
    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => int.MaxValue,
    };
}
