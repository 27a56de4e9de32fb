using System.Text;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Splits a hostname.&lt;if&gt; file into ifconfig invocations the way the Solaris boot scripts feed it to
/// ifconfig: the shell's <c>read</c> (without -r) joins a line ending in '\' with the next one, and the
/// unquoted expansion splits words on blanks.
/// <list type="bullet">
/// <item>The join removes the backslash and the newline and nothing else, so <c>up\</c> + <c>addif</c>
/// becomes <c>upaddif</c> just as in Solaris; write <c>up \</c>.</item>
/// <item>A '\' followed by blanks does not continue the line (the shell escapes the blank instead); that is
/// almost always a mistake, so it is reported and the stray '\' dropped.</item>
/// <item>A word starting with '#' starts a comment that runs to the end of the logical line. A comment whose
/// physical line ends in '\' therefore swallows the next line; that is reported too.</item>
/// <item>Quotes are not special: the expansion in the boot script never removed them.</item>
/// </list>
/// </summary>
internal static class HostnameFileTokenizer
{
    public static IReadOnlyList<IfconfigCommandLine> Tokenize(string file, string content, DiagnosticBag diagnostics)
    {
        var commands = new List<IfconfigCommandLine>();
        var physical = content.Replace("\r\n", "\n").Split('\n');

        // Characters of the current logical line, each with the physical line it came from.
        var text = new StringBuilder();
        var origins = new List<int>();
        var firstLine = 0;

        for (var i = 0; i < physical.Length; i++)
        {
            var number = i + 1;
            var line = physical[i];
            if (text.Length == 0 && origins.Count == 0) firstLine = number;

            var continues = line.EndsWith('\\');
            if (continues)
            {
                line = line[..^1];
            }
            else if (line.TrimEnd(' ', '\t').EndsWith('\\') && line.TrimEnd(' ', '\t').Length > 0)
            {
                diagnostics.Warning(file, number,
                    "'\\' is followed by blanks, so it does not continue the line (as in Solaris); remove the blanks after it");
                line = line.TrimEnd(' ', '\t')[..^1];
            }

            text.Append(line);
            origins.AddRange(Enumerable.Repeat(number, line.Length));
            if (continues && i + 1 < physical.Length)
            {
                // A NUL marks the join: words glued across it and comments running over it get reported.
                origins.Add(number);
                text.Append('\0');
                continue;
            }

            var tokens = SplitWords(file, text.ToString(), origins, diagnostics);
            if (tokens.Count > 0) commands.Add(new IfconfigCommandLine(firstLine, tokens));
            text.Clear();
            origins.Clear();
        }
        return commands;
    }

    /// <summary>Blank-separated words up to a word starting with '#'.</summary>
    private static List<IfconfigToken> SplitWords(string file, string text, List<int> origins, DiagnosticBag diagnostics)
    {
        var tokens = new List<IfconfigToken>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] is ' ' or '\t' or '\0') { i++; continue; }
            if (text[i] == '#')
            {
                // '\0' marks where a '\' continuation joined two physical lines inside the comment.
                var joined = text.IndexOf('\0', i);
                if (joined >= 0)
                    diagnostics.Warning(file, origins[joined],
                        "this comment ends with '\\', so the next line is part of the comment and ignored");
                break;
            }
            var start = i;
            var word = new StringBuilder();
            var spansLines = false;
            while (i < text.Length && text[i] is not (' ' or '\t'))
            {
                if (text[i] == '\0') spansLines = true;
                else word.Append(text[i]);
                i++;
            }
            tokens.Add(new IfconfigToken(word.ToString(), origins[start], spansLines && text[i - 1] != '\0'));
        }
        return tokens;
    }
}
