using System.Collections.Immutable;

namespace Ipmp.Cli.Stat;

/// <summary>
/// ipmpstat's main() option handling: illumos getopt(3C) with the option string <c>"nLPjo:agipt"</c>
/// (<c>j</c> added by this port), then libofmt's ofmt_open() field selection and its errors.
/// </summary>
internal static class StatOptionsParser
{
    private const string OptionLetters = "nLPjoagipt";
    private const string ModeLetters = "agipt";

    public static StatParseResult Parse(IReadOnlyList<string> args)
    {
        StatMode? mode = null;
        string? fieldList = null;
        bool numeric = false, parsable = false, json = false, live = false;

        int optind = 0;
        int sp = 1; // position inside a bundle of letters, as getopt's _sp
        while (optind < args.Count)
        {
            string arg = args[optind];
            if (sp == 1)
            {
                if (arg.Length < 2 || arg[0] != '-')
                    break;                      // first operand ends the options
                if (arg == "--")
                {
                    optind++;
                    break;
                }
            }

            char c = arg[sp];
            if (sp == 1 && c == '-')            // a long option: ipmpstat defines none
                return StatParseResult.Usage(StatMessages.IllegalOption(arg[2..]));
            if (!OptionLetters.Contains(c))
                return StatParseResult.Usage(StatMessages.IllegalOption(c.ToString()));

            string? optarg = null;
            if (c == 'o')
            {
                if (sp + 1 < arg.Length)
                {
                    optarg = arg[(sp + 1)..];
                    optind++;
                }
                else if (++optind >= args.Count)
                {
                    return StatParseResult.Usage(StatMessages.OptionRequiresArgument(c));
                }
                else
                {
                    optarg = args[optind++];
                }
                sp = 1;
            }
            else if (++sp >= arg.Length)
            {
                sp = 1;
                optind++;
            }

            if (mode is not null && ModeLetters.Contains(c))
                return StatParseResult.Fatal(StatMessages.OnlyOneOutputFormat);

            switch (c)
            {
                case 'n': numeric = true; break;
                case 'L': live = true; break;
                case 'P': parsable = true; break;
                case 'j': json = true; break;
                case 'o': fieldList = optarg; break;
                case 'a': mode = StatMode.Address; break;
                case 'g': mode = StatMode.Group; break;
                case 'i': mode = StatMode.Interface; break;
                case 'p': mode = StatMode.Probe; break;
                case 't': mode = StatMode.Target; break;
            }
        }

        if (optind < args.Count || mode is not { } m)
            return StatParseResult.Usage();

        if (json && parsable)
            return StatParseResult.Fatal(StatMessages.JsonAndParsable);

        OutputFormat format = parsable ? OutputFormat.Parsable : json ? OutputFormat.Json : OutputFormat.Human;
        return SelectFields(m, fieldList, format) switch
        {
            { Error: { } error } => StatParseResult.Fatal(error),
            var (fields, warning, _) => StatParseResult.Success(
                new StatOptions(m, fields, numeric, format, live),
                warning is null ? "" : StatMessages.Warning(warning)),
        };
    }

    /// <summary>
    /// ofmt_open() and ipmpstat's handling of its result. Human mode: no list = the columns that fit in 80,
    /// <c>all</c> = every column, unknown names are a warning unless none is left. Parsable mode: a list is
    /// required, <c>all</c> is refused, unknown names are fatal. JSON (extension): like parsable for unknown
    /// names, but no list or <c>all</c> selects every column.
    /// </summary>
    internal static (ImmutableArray<OfmtField> Fields, string? Warning, string? Error) SelectFields(
        StatMode mode, string? fieldList, OutputFormat format)
    {
        if (format == OutputFormat.Parsable)
        {
            if (string.IsNullOrEmpty(fieldList))
                return ([], null, StatMessages.ParsableNeedsFields);
            if (IsAll(fieldList))
                return ([], null, StatMessages.ParsableAllInvalid);
        }

        if (fieldList is null)
            return (format == OutputFormat.Json ? IpmpStatFields.All(mode) : IpmpStatFields.Default(mode), null, null);
        if (IsAll(fieldList))
            return (IpmpStatFields.All(mode), null, null);

        // strtok(",") semantics: empty names between commas are skipped. (illumos fails an empty -o ""
        // with ENOMEM's text; this port says "no valid output fields".)
        var fields = ImmutableArray.CreateBuilder<OfmtField>();
        var bad = new List<string>();
        foreach (string name in fieldList.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (IpmpStatFields.Find(mode, name) is { } field)
                fields.Add(field);
            else
                bad.Add(name);
        }

        if (fields.Count == 0)
            return ([], null, StatMessages.NoValidOutputFields);
        if (bad.Count == 0)
            return (fields.ToImmutable(), null, null);
        return format == OutputFormat.Human
            ? (fields.ToImmutable(), StatMessages.BadFields(bad, fatal: false), null)
            : ([], null, StatMessages.BadFields(bad, fatal: true));
    }

    private static bool IsAll(string fieldList) => string.Equals(fieldList, "all", StringComparison.OrdinalIgnoreCase);
}
