using Ipmp.Cli.Stat;
using static Ipmp.Cli.Tests.Stat.StatRunner;

namespace Ipmp.Cli.Tests.Stat;

public sealed class StatOptionsTests
{
    private const string UsageText =
        "usage: ipmpstat [-n] [-o <field> [-P]] -a|-g|-i|-p|-t\n" +
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

    private static StatParseResult Parse(string commandLine) => StatOptions.Parse(Args(commandLine));

    private static string[] Names(StatOptions o) => [.. o.Fields.Select(f => f.Name)];

    private static void AssertFatal(string commandLine, string stderr)
    {
        StatParseResult r = Parse(commandLine);
        Assert.False(r.Succeeded);
        Assert.False(r.IsUsage);
        Assert.Equal(stderr, r.Error);
        Assert.Equal(1, r.ExitCode);
    }

    private static void AssertUsage(string commandLine, string getoptLine = "")
    {
        StatParseResult r = Parse(commandLine);
        Assert.False(r.Succeeded);
        Assert.True(r.IsUsage);
        Assert.Equal(getoptLine + UsageText, r.Error);
        Assert.Equal(1, r.ExitCode);
    }

    [Theory]
    [InlineData("-a", "Address")]
    [InlineData("-g", "Group")]
    [InlineData("-i", "Interface")]
    [InlineData("-p", "Probe")]
    [InlineData("-t", "Target")]
    public void EachModeLetterSelectsItsMode(string commandLine, string mode)
    {
        StatOptions o = Options(commandLine);
        Assert.Equal(Enum.Parse<StatMode>(mode), o.Mode);
        Assert.False(o.Numeric);
        Assert.Equal(OutputFormat.Human, o.Format);
        Assert.Equal("", Parse(commandLine).Warnings);
    }

    [Fact]
    public void DefaultFieldsFitIn80ColumnsSoProbeLosesRttdev()
    {
        Assert.Equal(["ADDRESS", "STATE", "GROUP", "INBOUND", "OUTBOUND"], Names(Options("-a")));
        Assert.Equal(["GROUP", "GROUPNAME", "STATE", "FDT", "INTERFACES"], Names(Options("-g")));
        Assert.Equal(["INTERFACE", "ACTIVE", "GROUP", "FLAGS", "LINK", "PROBE", "STATE"], Names(Options("-i")));
        Assert.Equal(["TIME", "INTERFACE", "PROBE", "NETRTT", "RTT", "RTTAVG", "TARGET"], Names(Options("-p")));
        Assert.Equal(["INTERFACE", "MODE", "TESTADDR", "TARGETS"], Names(Options("-t")));
        Assert.Equal(Names(Options("-p")), Names(StatOptions.ForMode(StatMode.Probe)));
    }

    [Fact]
    public void OAllSelectsEveryFieldCaseInsensitively()
    {
        Assert.Equal(["TIME", "INTERFACE", "PROBE", "NETRTT", "RTT", "RTTAVG", "TARGET", "RTTDEV"], Names(Options("-p -o all")));
        Assert.Equal(8, Options("-p -o ALL").Fields.Length);
        Assert.Equal(8, Options("-po All").Fields.Length);
    }

    [Fact]
    public void FieldNamesAreCaseInsensitiveAndKeptInTheGivenOrder()
    {
        StatOptions o = Options("-i -o State,interface,FLAGS,state");
        Assert.Equal(["STATE", "INTERFACE", "FLAGS", "STATE"], Names(o));
        Assert.Equal([10, 12, 10, 10], o.Fields.Select(f => f.Width));
    }

    [Fact]
    public void EmptyNamesBetweenCommasAreSkipped() =>
        Assert.Equal(["ADDRESS", "INBOUND"], Names(Options("-a -o ,address,,inbound,")));

    [Fact]
    public void CombinedLettersAndAttachedOrSeparateOptionValues()
    {
        StatOptions gP = Options("-gP -o group,state");
        Assert.Equal((StatMode.Group, OutputFormat.Parsable, false), (gP.Mode, gP.Format, gP.Numeric));

        StatOptions anP = Options("-anP -o address,inbound");
        Assert.Equal((StatMode.Address, OutputFormat.Parsable, true), (anP.Mode, anP.Format, anP.Numeric));
        Assert.Equal(["ADDRESS", "INBOUND"], Names(anP));

        StatOptions tn = Options("-tn");
        Assert.Equal((StatMode.Target, true), (tn.Mode, tn.Numeric));

        Assert.Equal(["ADDRESS"], Names(Options("-a -oaddress")));
        Assert.Equal(["ADDRESS", "INBOUND"], Names(Options("-anPoaddress,inbound")));
        Assert.Equal(["TARGETS"], Names(Options("-tno targets")));
        Assert.Equal(["INBOUND"], Names(Options("-o address -a -o inbound"))); // the last -o wins
        Assert.Equal(StatMode.Interface, Options("-i --").Mode);
        Assert.True(Options("-iL").Live);
    }

    [Fact]
    public void OptionsAfterTheModeLetterAreAccepted()
    {
        StatOptions o = Options("-o address -P -a -n");
        Assert.Equal((StatMode.Address, OutputFormat.Parsable, true), (o.Mode, o.Format, o.Numeric));
    }

    [Theory]
    [InlineData("-a -g")]
    [InlineData("-ag")]
    [InlineData("-a -a")]
    [InlineData("-aa")]
    [InlineData("-tn -p")]
    public void OnlyOneOutputFormat(string commandLine) =>
        AssertFatal(commandLine, "ipmpstat: only one output format may be specified\n");

    [Fact]
    public void SecondModeIsFatalEvenBeforeALaterUsageError() =>
        AssertFatal("-a -i -x", "ipmpstat: only one output format may be specified\n");

    [Theory]
    [InlineData("")]
    [InlineData("-n")]
    [InlineData("-P -o address")]
    [InlineData("-a extra")]
    [InlineData("-a -")]
    [InlineData("-- -a")]
    public void UsageWithoutGetoptMessage(string commandLine) => AssertUsage(commandLine);

    [Fact]
    public void IllegalOptionPrintsGetoptsLineThenUsage()
    {
        AssertUsage("-x", "ipmpstat: illegal option -- x\n");
        AssertUsage("-ax", "ipmpstat: illegal option -- x\n");
        AssertUsage("-a --help", "ipmpstat: illegal option -- help\n");
        AssertUsage("-h", "ipmpstat: illegal option -- h\n");
    }

    [Fact]
    public void MissingOptionArgument()
    {
        AssertUsage("-a -o", "ipmpstat: option requires an argument -- o\n");
        AssertUsage("-ao", "ipmpstat: option requires an argument -- o\n");
    }

    [Fact]
    public void ParsableNeedsAnExplicitFieldList()
    {
        AssertFatal("-aP", "ipmpstat: output fields must be specified in parsable mode\n");
        AssertFatal("-P -a", "ipmpstat: output fields must be specified in parsable mode\n");
    }

    [Theory]
    [InlineData("-aP -o all")]
    [InlineData("-aP -o ALL")]
    [InlineData("-gPoAll")]
    public void ParsableRejectsAll(string commandLine) =>
        AssertFatal(commandLine, "ipmpstat: output field `all' invalid in parsable mode\n");

    [Fact]
    public void HumanModeWarnsAboutUnknownFieldsAndSkipsThem()
    {
        StatParseResult one = Parse("-a -o address,bogus");
        Assert.True(one.Succeeded);
        Assert.Equal(["ADDRESS"], Names(one.Options));
        Assert.Equal("ipmpstat: warning: ignoring unknown output field: `bogus'\n", one.Warnings);

        StatParseResult two = Parse("-a -o bogus,address,junk");
        Assert.True(two.Succeeded);
        Assert.Equal("ipmpstat: warning: ignoring unknown output fields: `bogus' `junk'\n", two.Warnings);

        // "all" is only special as the whole list.
        Assert.Equal("ipmpstat: warning: ignoring unknown output field: `all'\n", Parse("-a -o all,state").Warnings);
        // A field of another mode is unknown here.
        Assert.Equal("ipmpstat: warning: ignoring unknown output field: `RTTDEV'\n", Parse("-i -o state,RTTDEV").Warnings);
    }

    [Fact]
    public void ParsableModeUnknownFieldsAreFatal()
    {
        AssertFatal("-aP -o address,bogus", "ipmpstat: unknown output field: `bogus'\n");
        AssertFatal("-aP -o x,address,y", "ipmpstat: unknown output fields: `x' `y'\n");
    }

    [Theory]
    [InlineData("-a -o bogus")]
    [InlineData("-a -o bogus,junk")]
    [InlineData("-aP -o bogus")]
    [InlineData("-a -o ,")]
    [InlineData("-aj -o nope")]
    public void NoValidOutputFields(string commandLine) =>
        AssertFatal(commandLine, "ipmpstat: no valid output fields\n");

    [Fact]
    public void EmptyFieldList()
    {
        StatParseResult human = StatOptions.Parse(["-a", "-o", ""]);
        Assert.Equal("ipmpstat: no valid output fields\n", human.Error);
        StatParseResult parsable = StatOptions.Parse(["-aP", "-o", ""]);
        Assert.Equal("ipmpstat: output fields must be specified in parsable mode\n", parsable.Error);
    }

    [Fact]
    public void JsonOption()
    {
        StatOptions all = Options("-pj");
        Assert.Equal(OutputFormat.Json, all.Format);
        Assert.Equal(8, all.Fields.Length); // no 80-column limit: every field
        Assert.Equal(8, Options("-p -j -o all").Fields.Length);
        Assert.Equal(["ADDRESS"], Names(Options("-anj -o address")));
        AssertFatal("-aj -o address,bogus", "ipmpstat: unknown output field: `bogus'\n");
        AssertFatal("-ajP -o address", "ipmpstat: -j and -P cannot be used together\n");
    }
}
