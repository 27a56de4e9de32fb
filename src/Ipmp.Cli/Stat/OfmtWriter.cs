using System.Collections.Immutable;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ipmp.Cli.Stat;

/// <summary>
/// The libofmt row printer, stateful so that rows can be written one at a time as they arrive (<c>-p</c>)
/// while keeping the header repetition and the overflow carry exactly as illumos does them.
/// </summary>
/// <remarks>
/// Values are passed per row in field order: <c>null</c> means "could not be determined" and prints <c>?</c>
/// (the caller warns on stderr), the empty string prints <c>--</c> in human mode and nothing with -P.
/// </remarks>
internal sealed class OfmtWriter
{
    /// <summary>Terminal height used when it is unknown (stdout not a tty), as libofmt does.</summary>
    public const int DefaultRows = 24;

    private const string Undefined = "--";
    private const string Unknown = "?";

    private static readonly JsonWriterOptions JsonOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    private readonly ImmutableArray<OfmtField> _fields;
    private readonly OutputFormat _format;
    private int _rows;
    private int _rowCounter;
    private int _overflow;

    public OfmtWriter(IEnumerable<OfmtField> fields, OutputFormat format, int rows = DefaultRows)
    {
        _fields = [.. fields];
        if (_fields.IsEmpty)
            throw new ArgumentException("at least one field is required", nameof(fields));
        _format = format;
        Rows = rows;
    }

    public ImmutableArray<OfmtField> Fields => _fields;

    /// <summary>
    /// Lines per screen; the header is printed on the first row and then every <c>Rows</c> lines. May be
    /// changed between rows (SIGWINCH). Values below 1 mean unknown and are taken as 24.
    /// </summary>
    public int Rows
    {
        get => _rows;
        set => _rows = value > 0 ? value : DefaultRows;
    }

    /// <summary>Formats one row (preceded by the header when it is due), ending with a newline.</summary>
    public string FormatRow(IReadOnlyList<string?> values)
    {
        var sb = new StringBuilder();
        AppendRow(sb, values);
        return sb.ToString();
    }

    /// <summary>Writes one row (preceded by the header when it is due).</summary>
    public void WriteRow(TextWriter output, IReadOnlyList<string?> values) => output.Write(FormatRow(values));

    public void AppendRow(StringBuilder sb, IReadOnlyList<string?> values)
    {
        if (values.Count != _fields.Length)
            throw new ArgumentException($"expected {_fields.Length} values, got {values.Count}", nameof(values));

        // ofmt_print(): "if ((os->os_nrow++ % os->os_winsize.ws_row) == 0 && !parsable) { header; os_nrow++; }"
        if ((_rowCounter++ % _rows) == 0 && _format == OutputFormat.Human)
        {
            AppendHeader(sb);
            _rowCounter++;
        }

        switch (_format)
        {
            case OutputFormat.Human:
                for (int i = 0; i < _fields.Length; i++)
                {
                    string? v = values[i];
                    AppendHuman(sb, _fields[i], v is null ? Unknown : v.Length == 0 ? Undefined : v, i == _fields.Length - 1);
                }
                sb.Append('\n');
                break;
            case OutputFormat.Parsable:
                for (int i = 0; i < _fields.Length; i++)
                    AppendParsable(sb, values[i] ?? Unknown, i == _fields.Length - 1);
                sb.Append('\n');
                break;
            case OutputFormat.Json:
                AppendJson(sb, values);
                sb.Append('\n');
                break;
        }
    }

    private void AppendHeader(StringBuilder sb)
    {
        for (int i = 0; i < _fields.Length; i++)
            AppendHuman(sb, _fields[i], _fields[i].Name, i == _fields.Length - 1);
        sb.Append('\n');
    }

    /// <summary>ofmt_print_field(), human branch, left-justified.</summary>
    private void AppendHuman(StringBuilder sb, OfmtField field, string value, bool last)
    {
        if (last)
        {
            sb.Append(value);
            _overflow = 0;
            return;
        }

        int width = field.Width;
        int valueWidth = Encoding.UTF8.GetByteCount(value); // strlen(): bytes, as printf pads
        if (valueWidth + _overflow >= width)
        {
            _overflow += valueWidth - width + 1;
            sb.Append(value).Append(' ');
            return;
        }

        if (_overflow > 0)
        {
            int compress = Math.Min(_overflow, width - valueWidth);
            _overflow -= compress;
            width -= compress;
        }
        sb.Append(value).Append(' ', width - valueWidth);
    }

    /// <summary>ofmt_print_field(), parsable branch.</summary>
    private void AppendParsable(StringBuilder sb, string value, bool last)
    {
        if (_fields.Length == 1)
        {
            sb.Append(value);
            return;
        }
        foreach (char c in value)
        {
            if (c is ':' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        if (!last)
            sb.Append(':');
    }

    private void AppendJson(StringBuilder sb, IReadOnlyList<string?> values)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            for (int i = 0; i < _fields.Length; i++)
            {
                if (values[i] is { } v)
                    json.WriteString(_fields[i].JsonName, v);
                else
                    json.WriteNull(_fields[i].JsonName);
            }
            json.WriteEndObject();
        }
        sb.Append(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
