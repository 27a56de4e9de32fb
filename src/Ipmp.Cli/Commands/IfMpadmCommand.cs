namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp if_mpadm ARGS</c> (what <c>/usr/sbin/if_mpadm</c> runs; not listed in the help): illumos if_mpadm's
/// command line, getopt(3C) with <c>"d:r:"</c>. <c>-d IF</c> offlines, <c>-r IF</c> undoes it (the last of them
/// wins, operands after the options are ignored, as there); anything else prints getopt's complaint and the
/// usage text, exit 1 (<c>usage()</c> exits with 1 there).
/// </summary>
internal static class IfMpadmCommand
{
    public const string Name = "if_mpadm";

    /// <summary>illumos <c>usage()</c>: <c>"Usage: %s [-d | -r] &lt;interface&gt;\n"</c> with the program's name.</summary>
    public const string Usage = "Usage: if_mpadm [-d | -r] <interface>\n";

    public const int ExitUsage = 1;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stderr, CancellationToken cancellationToken)
    {
        var (offline, ifname, error) = Parse(args);
        if (ifname is null)
        {
            await stderr.WriteAsync(error + Usage);
            return ExitUsage;
        }
        return await AdminCommands.RunAsync(offline, ifname, socketPath: null, TextWriter.Null, stderr, cancellationToken);
    }

    /// <summary>getopt(3C) over <c>"d:r:"</c>; a null interface means usage (after <c>Error</c>, getopt's line, if any).</summary>
    internal static (bool Offline, string? Interface, string Error) Parse(IReadOnlyList<string> args)
    {
        bool offline = false;
        string? ifname = null;
        int optind = 0;
        while (optind < args.Count)
        {
            string arg = args[optind];
            if (arg.Length < 2 || arg[0] != '-')
                break;                      // the first operand ends the options
            if (arg == "--")
                break;
            char c = arg[1];
            if (c is not ('d' or 'r'))
                return (false, null, $"{Name}: illegal option -- {c}\n");
            string? optarg = arg.Length > 2 ? arg[2..] : optind + 1 < args.Count ? args[++optind] : null;
            if (optarg is null)
                return (false, null, $"{Name}: option requires an argument -- {c}\n");
            optind++;
            offline = c == 'd';
            ifname = optarg;
        }
        // An empty name is not an interface; illumos would ask the kernel for its flags and fail.
        return ifname is { Length: > 0 } ? (offline, ifname, "") : (false, null, "");
    }
}
