namespace Ipmp.Host.Configuration;

/// <summary>How bad a configuration finding is. Only <see cref="Error"/> rejects the configuration.</summary>
public enum DiagnosticSeverity
{
    /// <summary>A note about a choice the loader made (e.g. an address skipped because it is down).</summary>
    Info,

    /// <summary>Something probably wrong that has a safe fallback (e.g. an mpathd value replaced by its default).</summary>
    Warning,

    /// <summary>The configuration cannot be used; the daemon keeps its last good one.</summary>
    Error,
}
