using System.Diagnostics.CodeAnalysis;

namespace Ipmp.Cli.Stat;

/// <summary>
/// The outcome of <see cref="StatOptions.Parse"/>. Either <see cref="Options"/> is set (go on; print
/// <see cref="Warnings"/> to stderr first) or <see cref="Error"/> holds the complete stderr text to print
/// before exiting with <see cref="ExitCode"/>.
/// </summary>
/// <param name="Options">The parsed options, or null on error.</param>
/// <param name="Warnings">Complete warning lines (prefix and newline included) for stderr; may be empty.</param>
/// <param name="Error">Complete stderr text on failure (a fatal line, or getopt's line and the usage text).</param>
/// <param name="ExitCode">0 on success; illumos' EXIT_FAILURE (1) for every error, usage included.</param>
internal sealed record StatParseResult(StatOptions? Options, string Warnings, string? Error, int ExitCode)
{
    [MemberNotNullWhen(true, nameof(Options))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Options is not null;

    /// <summary>True when the failure printed the usage text.</summary>
    public bool IsUsage { get; init; }

    public static StatParseResult Success(StatOptions options, string warnings) => new(options, warnings, null, 0);

    public static StatParseResult Fatal(string message) =>
        new(null, "", StatMessages.Fatal(message), StatMessages.ExitFailure);

    public static StatParseResult Usage(string getoptMessage = "") =>
        new(null, "", getoptMessage + StatMessages.Usage, StatMessages.ExitFailure) { IsUsage = true };
}
