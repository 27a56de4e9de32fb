namespace Ipmp.Host.Configuration;

/// <summary>
/// One finding about a configuration file, pointing at the line an operator has to look at.
/// </summary>
/// <param name="File">The file as the caller named it: the bare file name for
/// <see cref="ConfigDirectory.Parse"/>, the full path for <see cref="ConfigDirectory.Load"/>.</param>
/// <param name="Line">1-based line number; 0 when the finding is about the file (or directory) as a whole.</param>
/// <param name="Message">What was wrong and what was expected, or the illumos text for mpathd values.</param>
public sealed record ConfigDiagnostic(DiagnosticSeverity Severity, string File, int Line, string Message)
{
    /// <summary>The compiler-style "file:line: message" form, easy to jump to from an editor or a log.</summary>
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
