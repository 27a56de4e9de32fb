namespace Ipmp.Cli.Stat;

/// <summary>ipmpstat's texts, byte for byte as illumos prints them (usage(), die(), warn(), libofmt).</summary>
internal static class StatMessages
{
    public const string ProgramName = "ipmpstat";
    public const string FatalPrefix = ProgramName + ": ";
    public const string WarningPrefix = ProgramName + ": warning: ";

    /// <summary>illumos exits with EXIT_FAILURE for every error, usage included.</summary>
    public const int ExitFailure = 1;

    public const string UsageLine = "usage: ipmpstat [-n] [-o <field> [-P]] -a|-g|-i|-p|-t\n";

    /// <summary>
    /// The help block that follows the usage line. The last line (<c>-j</c>) is this port's extension;
    /// everything before it is the illumos text.
    /// </summary>
    public const string HelpBlock =
        "\n" +
        "  output modes:\t -a  display IPMP data address information\n" +
        "\t\t -g  display IPMP group information\n" +
        "\t\t -i  display IPMP-related IP interface information\n" +
        "\t\t -p  display IPMP probe information\n" +
        "\t\t -t  display IPMP target information\n" +
        "\n" +
        "       options:\t -n  display IP addresses numerically\n" +
        "\t\t -o  display only the specified fields, in order\n" +
        "\t\t -P  display using parsable output mode\n" +
        "\t\t -j  display one JSON object per line (extension)\n";

    public const string Usage = UsageLine + HelpBlock;

    public const string OnlyOneOutputFormat = "only one output format may be specified";
    public const string NoValidOutputFields = "no valid output fields";
    public const string ParsableNeedsFields = "output fields must be specified in parsable mode";
    public const string ParsableAllInvalid = "output field `all' invalid in parsable mode";
    public const string JsonAndParsable = "-j and -P cannot be used together";

    // Runtime texts the command needs once it talks to the daemon.
    public const string CannotContactDaemon = "cannot contact in.mpathd(1M) -- is IPMP in use?";
    public const string ProbingDisabled = "probe-based failure detection is disabled";
    public const string InsufficientPrivileges = "insufficient privileges for -p";

    // libipmp error texts used in the lookup warnings.
    public const string UnknownGroupError = "unknown IPMP group";
    public const string UnknownInterfaceError = "interface is not using IPMP";

    public static string Fatal(string message) => FatalPrefix + message + "\n";

    public static string Warning(string message) => WarningPrefix + message + "\n";

    /// <summary>getopt(3C): <c>ipmpstat: illegal option -- x</c> (a long option shows its name).</summary>
    public static string IllegalOption(string option) => $"{ProgramName}: illegal option -- {option}\n";

    /// <summary>getopt(3C): <c>ipmpstat: option requires an argument -- o</c>.</summary>
    public static string OptionRequiresArgument(char option) => $"{ProgramName}: option requires an argument -- {option}\n";

    /// <summary>libofmt OFMT_EBADFIELDS text, singular or plural, each field as <c> `name'</c>.</summary>
    public static string BadFields(IReadOnlyList<string> badFields, bool fatal)
    {
        string head = (fatal, badFields.Count > 1) switch
        {
            (false, false) => "ignoring unknown output field:",
            (false, true) => "ignoring unknown output fields:",
            (true, false) => "unknown output field:",
            (true, true) => "unknown output fields:",
        };
        return head + string.Concat(badFields.Select(f => " `" + f + "'"));
    }

    public static string CannotGetGroupInfo(string group) => $"cannot get info for group `{group}': {UnknownGroupError}";

    public static string CannotGetInterfaceInfo(string name) => $"cannot get info for interface `{name}': {UnknownInterfaceError}";

    /// <summary>sfunc_nvwarn(): a probe event lacks an attribute.</summary>
    public static string CannotRetrieve(string attribute) => $"cannot retrieve {attribute}";
}
