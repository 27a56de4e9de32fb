using System.Text;

namespace Ipmp.Host.Configuration;

/// <summary>
/// A faithful copy of illumos libc <c>defread()</c> as in.mpathd uses it (case folding turned off with
/// <c>defcntl</c>, quotes not stripped, rewound for every key). Faithful rather than friendly, because an
/// operator moving /etc/default/mpathd from Solaris must get the same settings, including the odd cases:
/// <list type="bullet">
/// <item>Leading blanks (spaces only, not tabs) are skipped; then the line must start with <c>KEY=</c>,
/// compared case-insensitively. So <c>FAILBACK = no</c> never matches.</item>
/// <item>The first matching line wins; the value is everything after '=' (trailing blanks, quotes, a '\r').</item>
/// <item>fgets() reads into a 1024-byte buffer. A line of 1024 bytes or more (counting its newline) does not
/// fit, and defread stops scanning there: later lines are never seen. The same happens to a last line
/// without a newline, and to a line holding a NUL byte, because defread only accepts a line whose last
/// character is '\n'.</item>
/// </list>
/// </summary>
internal sealed class DefaultFileReader
{
    /// <summary>BUFFERSIZE in libc deflt.c: fgets() keeps at most 1023 bytes plus the terminating NUL.</summary>
    public const int BufferSize = 1024;

    private readonly IReadOnlyList<DefaultFileLine> _lines;

    public DefaultFileReader(string content) => _lines = SplitLines(content);

    /// <summary>
    /// The line where defread() gives up, if it ever does (too long, unterminated or containing NUL), so the
    /// caller can explain why keys below it are ignored.
    /// </summary>
    public DefaultFileLine? ScanStopLine => _lines.FirstOrDefault(StopsScan);

    /// <summary>Looks up <paramref name="key"/> ("FAILBACK", without '='); null when defread() returns NULL.</summary>
    public (string Value, int Line)? Read(string key)
    {
        var pattern = key + "=";
        foreach (var line in _lines)
        {
            if (StopsScan(line)) return null;
            var text = line.Text.AsSpan().TrimStart(' ');
            if (StartsWithAsciiIgnoreCase(text, pattern))
                return (text[pattern.Length..].ToString(), line.Number);
        }
        return null;
    }

    /// <summary>True for a line defread() breaks out of its loop on.</summary>
    public static bool StopsScan(DefaultFileLine line) =>
        !line.Terminated || line.ByteLength >= BufferSize || line.Text.Contains('\0');

    /// <summary>strncasecmp() in the C locale: only ASCII letters fold, unlike .NET's OrdinalIgnoreCase.</summary>
    private static bool StartsWithAsciiIgnoreCase(ReadOnlySpan<char> text, string pattern)
    {
        if (text.Length < pattern.Length) return false;
        for (var i = 0; i < pattern.Length; i++)
            if (char.ToLowerInvariant(pattern[i]) != AsciiLower(text[i])) return false;
        return true;
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;

    private static List<DefaultFileLine> SplitLines(string content)
    {
        var lines = new List<DefaultFileLine>();
        var start = 0;
        var number = 1;
        while (start < content.Length)
        {
            var newline = content.IndexOf('\n', start);
            var terminated = newline >= 0;
            var end = terminated ? newline : content.Length;
            var text = content[start..end];
            var bytes = Encoding.UTF8.GetByteCount(text) + (terminated ? 1 : 0);
            lines.Add(new DefaultFileLine(text, number++, terminated, bytes));
            start = end + 1;
        }
        return lines;
    }
}
