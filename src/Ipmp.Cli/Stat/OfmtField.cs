namespace Ipmp.Cli.Stat;

/// <summary>A selected output column: its header name (upper case, as printed) and its libofmt width.</summary>
internal sealed record OfmtField(string Name, int Width)
{
    /// <summary>The key used for this field in JSON output (<c>-j</c>).</summary>
    public string JsonName => Name.ToLowerInvariant();
}
