using Ipmp.Core.Status;

namespace Ipmp.Cli.Stat;

/// <summary>
/// ipmpstat -p as events arrive: one row per ACKED or LOST event, the header at the top and again every
/// <see cref="Rows"/> lines. Not thread-safe; feed it from one event loop.
/// </summary>
internal sealed class ProbeRowStream
{
    private readonly OfmtWriter _writer;
    private readonly StatContext _context;

    internal ProbeRowStream(OfmtWriter writer, StatContext context)
    {
        _writer = writer;
        _context = context;
    }

    /// <summary>Terminal height; set it again when the terminal is resized.</summary>
    public int Rows
    {
        get => _writer.Rows;
        set => _writer.Rows = value;
    }

    /// <summary>The text to print for <paramref name="e"/>: "" for a SENT event, else its row (and header if due).</summary>
    public string Format(ProbeEvent e)
    {
        if (!IpmpStatFields.IsShown(e))
            return "";
        var values = new string?[_writer.Fields.Length];
        for (int i = 0; i < values.Length; i++)
            values[i] = IpmpStatFields.ProbeValue(_writer.Fields[i], e, _context);
        return _writer.FormatRow(values);
    }
}
