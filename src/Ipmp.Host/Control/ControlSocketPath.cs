namespace Ipmp.Host.Control;

/// <summary>Where the control socket lives: one rule for the daemon and every client.</summary>
public static class ControlSocketPath
{
    /// <summary>The default path when neither <c>--socket</c> nor <c>IPMP_SOCKET</c> is given.</summary>
    public const string DefaultPath = "/run/ipmp/ipmpd.sock";

    /// <summary>The environment variable that overrides <see cref="DefaultPath"/>.</summary>
    public const string EnvironmentVariable = "IPMP_SOCKET";

    /// <summary>
    /// The socket path: <paramref name="commandLinePath"/> (<c>--socket PATH</c>) if given, else
    /// <c>$IPMP_SOCKET</c> if set and non-empty, else <see cref="DefaultPath"/>.
    /// </summary>
    /// <param name="commandLinePath">The <c>--socket</c> value, or null/empty when absent.</param>
    /// <param name="environment">Reads an environment variable; defaults to the process environment (tests pass their own).</param>
    public static string Resolve(string? commandLinePath = null, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrEmpty(commandLinePath))
            return commandLinePath;
        string? fromEnv = (environment ?? Environment.GetEnvironmentVariable)(EnvironmentVariable);
        return string.IsNullOrEmpty(fromEnv) ? DefaultPath : fromEnv;
    }
}
