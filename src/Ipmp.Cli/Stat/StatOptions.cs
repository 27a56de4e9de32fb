using System.Collections.Immutable;

namespace Ipmp.Cli.Stat;

/// <summary>A parsed ipmpstat command line.</summary>
/// <param name="Mode">The one output mode.</param>
/// <param name="Fields">The columns to print, in order (duplicates allowed, as libofmt allows them).</param>
/// <param name="Numeric"><c>-n</c>: print addresses numerically.</param>
/// <param name="Format">Human, parsable (<c>-P</c>) or JSON (<c>-j</c>, an extension).</param>
/// <param name="Live"><c>-L</c>, illumos' undocumented test option: query live state instead of a snapshot.</param>
internal sealed record StatOptions(
    StatMode Mode,
    ImmutableArray<OfmtField> Fields,
    bool Numeric = false,
    OutputFormat Format = OutputFormat.Human,
    bool Live = false)
{
    /// <summary>Parses <c>[-n] [-o field[,...] [-P]] -a|-g|-i|-p|-t</c> (plus <c>-j</c> and <c>-L</c>).</summary>
    /// <param name="args">The arguments after the command name.</param>
    public static StatParseResult Parse(IReadOnlyList<string> args) => StatOptionsParser.Parse(args);

    /// <summary>Options for <paramref name="mode"/> with its default columns (what a bare <c>-a</c> etc. selects).</summary>
    public static StatOptions ForMode(StatMode mode, bool numeric = false) =>
        new(mode, IpmpStatFields.Default(mode), numeric);
}
