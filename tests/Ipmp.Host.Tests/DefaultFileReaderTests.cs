using Ipmp.Host.Configuration;

namespace Ipmp.Host.Tests;

public class DefaultFileReaderTests
{
    [Fact]
    public void Finds_value_after_key_and_equals() =>
        Assert.Equal(("5000", 2), new DefaultFileReader("# x\nFAILURE_DETECTION_TIME=5000\n").Read("FAILURE_DETECTION_TIME"));

    [Fact]
    public void Key_match_ignores_case() =>
        Assert.Equal("no", new DefaultFileReader("failback=no\n").Read("FAILBACK")?.Value);

    [Fact]
    public void Leading_spaces_are_skipped_but_not_tabs()
    {
        Assert.Equal("no", new DefaultFileReader("   FAILBACK=no\n").Read("FAILBACK")?.Value);
        Assert.Null(new DefaultFileReader("\tFAILBACK=no\n").Read("FAILBACK"));
    }

    [Fact]
    public void Blanks_around_equals_do_not_match()
    {
        Assert.Null(new DefaultFileReader("FAILBACK =no\n").Read("FAILBACK"));
        Assert.Equal(" no", new DefaultFileReader("FAILBACK= no\n").Read("FAILBACK")?.Value);
    }

    [Fact]
    public void First_match_wins() =>
        Assert.Equal(("no", 1), new DefaultFileReader("FAILBACK=no\nFAILBACK=yes\n").Read("FAILBACK"));

    [Fact]
    public void Quotes_and_trailing_blanks_and_cr_stay_in_the_value()
    {
        Assert.Equal("\"no\"", new DefaultFileReader("FAILBACK=\"no\"\n").Read("FAILBACK")?.Value);
        Assert.Equal("no \t", new DefaultFileReader("FAILBACK=no \t\n").Read("FAILBACK")?.Value);
        Assert.Equal("no\r", new DefaultFileReader("FAILBACK=no\r\n").Read("FAILBACK")?.Value);
    }

    [Fact]
    public void Only_the_key_prefix_is_compared() =>
        Assert.Null(new DefaultFileReader("XFAILBACK=no\n").Read("FAILBACK"));

    [Fact]
    public void Line_of_1023_bytes_with_newline_is_read()
    {
        var line = "FAILBACK=no" + new string(' ', 1022 - 11); // 1022 characters + '\n' = 1023 bytes
        Assert.NotNull(new DefaultFileReader(line + "\nFAILURE_DETECTION_TIME=500\n").Read("FAILURE_DETECTION_TIME"));
    }

    [Fact]
    public void Line_of_1024_bytes_ends_the_scan()
    {
        var line = "#" + new string('x', 1022); // 1023 characters + '\n' = 1024 bytes
        var reader = new DefaultFileReader("FAILBACK=no\n" + line + "\nFAILURE_DETECTION_TIME=500\n");
        Assert.NotNull(reader.Read("FAILBACK"));
        Assert.Null(reader.Read("FAILURE_DETECTION_TIME"));
        Assert.Equal(2, reader.ScanStopLine?.Number);
    }

    [Fact]
    public void Line_length_is_counted_in_bytes_not_characters()
    {
        var line = "#" + new string('é', 511); // 1 + 1022 bytes + '\n' = 1024 bytes, but 512 characters
        Assert.Null(new DefaultFileReader(line + "\nFAILBACK=no\n").Read("FAILBACK"));
    }

    [Fact]
    public void Last_line_without_newline_is_not_read() =>
        Assert.Null(new DefaultFileReader("FAILBACK=no").Read("FAILBACK"));

    [Fact]
    public void Line_with_nul_ends_the_scan() =>
        Assert.Null(new DefaultFileReader("#a\0b\nFAILBACK=no\n").Read("FAILBACK"));

    [Fact]
    public void Non_ascii_letters_do_not_fold_to_ascii() =>
        Assert.Null(new DefaultFileReader("faılback=no\n").Read("FAILBACK")); // dotless i
}
