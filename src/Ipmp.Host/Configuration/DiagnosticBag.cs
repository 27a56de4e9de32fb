namespace Ipmp.Host.Configuration;

/// <summary>Collects findings while the parsers run; one bag per load so parsers stay free of global state.</summary>
internal sealed class DiagnosticBag
{
    private readonly List<ConfigDiagnostic> _items = [];

    public bool HasErrors { get; private set; }

    public void Error(string file, int line, string message) => Add(DiagnosticSeverity.Error, file, line, message);

    public void Warning(string file, int line, string message) => Add(DiagnosticSeverity.Warning, file, line, message);

    public void Info(string file, int line, string message) => Add(DiagnosticSeverity.Info, file, line, message);

    private void Add(DiagnosticSeverity severity, string file, int line, string message)
    {
        _items.Add(new ConfigDiagnostic(severity, file, line, message));
        if (severity == DiagnosticSeverity.Error) HasErrors = true;
    }

    /// <summary>
    /// Findings grouped by file and ordered by line, so a report reads top to bottom like the files do.
    /// The sort is stable: findings on the same line keep the order they were found in.
    /// </summary>
    public IReadOnlyList<ConfigDiagnostic> ToSortedList() =>
        _items.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ToList();
}
