using System.Text;

namespace Ipmp.Cli.Install;

/// <summary>Quoting of paths for the two languages the installer writes: POSIX sh and systemd unit files.</summary>
internal static class Quoting
{
    /// <summary>A word for sh: single-quoted, with embedded single quotes as <c>'\''</c>.</summary>
    public static string Shell(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// A path for a unit file's Exec*= line: as is when it is plain, else double-quoted with C escapes;
    /// <c>%</c> (specifiers) doubled. Paths with <c>$</c>, quotes or backslashes are refused before this
    /// (<see cref="IsSafeForUnit"/>): systemd does not expand <c>$$</c> in the executable's name and rejects it.
    /// </summary>
    public static string SystemdExecWord(string s)
    {
        string escaped = s.Replace("%", "%%", StringComparison.Ordinal);
        if (escaped.Length > 0 && escaped.All(IsPlain))
            return escaped;
        var sb = new StringBuilder("\"");
        foreach (char c in escaped)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\'' => "\\'",
                '\t' => "\\t",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    /// <summary>A path in a unit setting that takes a plain path (no quoting): only <c>%</c> needs escaping.</summary>
    public static string SystemdPath(string s) => s.Replace("%", "%%", StringComparison.Ordinal);

    private static bool IsPlain(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ':' or ',' or '=' or '@' or '%';

    /// <summary>
    /// Whether a path can go into the unit and the launchers: no control characters, quotes, backslashes,
    /// <c>$</c> or backquotes (spaces and <c>%</c> are fine).
    /// </summary>
    public static bool IsSafeForUnit(string path) =>
        path.Length > 0 && !path.Any(c => char.IsControl(c) || c is '"' or '\'' or '\\' or '$' or '`');
}
