using Ipmp.Core.Configuration;

namespace Ipmp.Host.Configuration;

/// <summary>
/// The outcome of loading a configuration directory. <see cref="Config"/> is null exactly when there is at
/// least one <see cref="DiagnosticSeverity.Error"/>, so a daemon can keep its last good configuration.
/// </summary>
public sealed record ConfigLoadResult(IpmpConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    public IEnumerable<ConfigDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
