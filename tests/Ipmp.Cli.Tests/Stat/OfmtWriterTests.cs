using System.Text;
using Ipmp.Cli.Stat;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>libofmt layout rules, checked on small hand-computed tables.</summary>
public sealed class OfmtWriterTests
{
    private static OfmtField[] Fields(params (string Name, int Width)[] fields) =>
        [.. fields.Select(f => new OfmtField(f.Name, f.Width))];

    [Fact]
    public void LastFieldIsNeverPaddedAndOthersArePaddedToTheirWidth()
    {
        var w = new OfmtWriter(Fields(("A", 5), ("B", 4), ("C", 10)), OutputFormat.Human);
        Assert.Equal("A    B   C\nx    yy  z\n", w.FormatRow(["x", "yy", "z"]));
    }

    [Fact]
    public void ValueReachingTheWidthGetsOneSpaceAndTheExcessIsCarried()
    {
        // "abcde" has exactly the width 5: printed with one space, overflow 1 taken from B's padding.
        var w = new OfmtWriter(Fields(("A", 5), ("B", 5), ("C", 5)), OutputFormat.Human);
        Assert.Equal("A    B    C\nabcde x   y\n", w.FormatRow(["abcde", "x", "y"]));
    }

    [Fact]
    public void OverflowCarriesAcrossSeveralColumns()
    {
        // abcdefgh: 8 >= 5, overflow 4. xyz: 3+4 >= 5, overflow 4+3-5+1 = 3. a: 1+3 < 5, width 5-3 = 2.
        var w = new OfmtWriter(Fields(("A", 5), ("B", 5), ("C", 5), ("D", 5)), OutputFormat.Human);
        string text = w.FormatRow(["abcdefgh", "xyz", "a", "end"]);
        Assert.Equal("A    B    C    D\nabcdefgh xyz a end\n", text);
        // The columns realign after the overflow: "end" starts at column 15, as D's header does.
        Assert.Equal(15, text.Split('\n')[1].IndexOf("end", StringComparison.Ordinal));
    }

    [Fact]
    public void AnOverflowingValueAfterAnOverflowAddsToTheCarry()
    {
        // A overflows by 3; B ("bb", width 4) has 2+3 >= 4, so it overflows too: 3+2-4+1 = 2;
        // C ("c", width 6) absorbs the 2 and is padded to 4.
        var w = new OfmtWriter(Fields(("A", 4), ("B", 4), ("C", 6), ("D", 1)), OutputFormat.Human);
        Assert.Equal("A   B   C     D\naaaaaa bb c   d\n", w.FormatRow(["aaaaaa", "bb", "c", "d"]));
    }

    [Fact]
    public void OverflowDoesNotLeakIntoTheNextRow()
    {
        var w = new OfmtWriter(Fields(("A", 5), ("B", 5)), OutputFormat.Human);
        Assert.Equal("A    B\nabcdefgh x\n", w.FormatRow(["abcdefgh", "x"]));
        Assert.Equal("a    b\n", w.FormatRow(["a", "b"]));
    }

    [Fact]
    public void EmptyPrintsDashesAndUndeterminedPrintsQuestionMark()
    {
        var w = new OfmtWriter(Fields(("A", 4), ("B", 4), ("C", 4)), OutputFormat.Human);
        Assert.Equal("A   B   C\n--  ?   --\n", w.FormatRow(["", null, ""]));
    }

    [Fact]
    public void HeaderRepeatsAfterEvery23DataRowsWith24Rows()
    {
        var w = new OfmtWriter(Fields(("N", 4), ("V", 2)), OutputFormat.Human, rows: 24);
        var actual = new StringBuilder();
        for (int i = 1; i <= 50; i++)
            actual.Append(w.FormatRow([i.ToString(System.Globalization.CultureInfo.InvariantCulture), "x"]));

        var expected = new StringBuilder();
        for (int i = 1; i <= 50; i++)
        {
            if (i is 1 or 24 or 47) // header, 23 rows, header, 23 rows, header, ...
                expected.Append("N   V\n");
            expected.Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadRight(4)).Append("x\n");
        }
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.Equal(53, actual.ToString().Split('\n').Length - 1);
    }

    [Fact]
    public void HeaderRepetitionFollowsARowsChange()
    {
        var w = new OfmtWriter(Fields(("A", 2), ("B", 1)), OutputFormat.Human, rows: 3);
        string text = w.FormatRow(["1", "x"]) + w.FormatRow(["2", "x"]) + w.FormatRow(["3", "x"]);
        Assert.Equal("A B\n1 x\n2 x\nA B\n3 x\n", text);
        w.Rows = 0; // unknown height: 24
        Assert.Equal(24, w.Rows);
    }

    [Fact]
    public void ParsableJoinsWithColonsEscapesAndPrintsNothingForEmpty()
    {
        var w = new OfmtWriter(Fields(("A", 4), ("B", 4), ("C", 4)), OutputFormat.Parsable);
        Assert.Equal(@"a\:b:c\\d:" + "\n", w.FormatRow(["a:b", @"c\d", ""]));
        Assert.Equal("::?\n", w.FormatRow(["", "", null]));
    }

    [Fact]
    public void ParsableSingleFieldIsNotEscaped()
    {
        var w = new OfmtWriter(Fields(("A", 4)), OutputFormat.Parsable);
        Assert.Equal("fe80::1\n", w.FormatRow(["fe80::1"]));
        Assert.Equal(@"a\b" + "\n", w.FormatRow([@"a\b"]));
        Assert.Equal("\n", w.FormatRow([""]));
    }

    [Fact]
    public void ParsableNeverPrintsAHeader()
    {
        var w = new OfmtWriter(Fields(("A", 4), ("B", 4)), OutputFormat.Parsable, rows: 2);
        Assert.Equal("1:2\n3:4\n5:6\n", w.FormatRow(["1", "2"]) + w.FormatRow(["3", "4"]) + w.FormatRow(["5", "6"]));
    }

    [Fact]
    public void JsonIsOneObjectPerLineWithLowerCaseKeysRawValues()
    {
        var w = new OfmtWriter(Fields(("ADDRESS", 26), ("INBOUND", 12), ("OUTBOUND", 23)), OutputFormat.Json, rows: 1);
        Assert.Equal("""{"address":"fe80::1","inbound":"","outbound":null}""" + "\n", w.FormatRow(["fe80::1", "", null]));
        Assert.Equal("""{"address":"a\"b\\c","inbound":"x","outbound":"y z"}""" + "\n", w.FormatRow(["a\"b\\c", "x", "y z"]));
    }
}
