namespace Ipmp.Cli.Stat;

/// <summary>How <see cref="OfmtWriter"/> lays out rows.</summary>
internal enum OutputFormat
{
    /// <summary>libofmt human format: padded columns, header every <c>rows</c> lines.</summary>
    Human,

    /// <summary>libofmt parsable format (<c>-P</c>): no header, <c>:</c>-joined, escaped.</summary>
    Parsable,

    /// <summary>Extension (<c>-j</c>): one JSON object per row and line, lower-case keys, no header.</summary>
    Json,
}
