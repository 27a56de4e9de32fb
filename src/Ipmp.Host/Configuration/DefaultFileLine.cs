namespace Ipmp.Host.Configuration;

/// <summary>One physical line of an /etc/default-style file, as fgets() would see it.</summary>
/// <param name="Text">The line without its newline (a '\r' from CRLF files stays, as it does in C).</param>
/// <param name="Number">1-based line number.</param>
/// <param name="Terminated">False for a last line that has no newline.</param>
/// <param name="ByteLength">The line's length in bytes including its newline, the unit fgets() counts in.</param>
internal sealed record DefaultFileLine(string Text, int Number, bool Terminated, int ByteLength);
