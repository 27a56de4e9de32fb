namespace Ipmp.Host.Configuration;

/// <summary>One word of an ifconfig command line, with the physical line it started on (for diagnostics).</summary>
/// <param name="SpansLines">The word was glued together from two physical lines by a '\' continuation
/// with no blank before it, which is worth pointing out when the word then makes no sense.</param>
internal readonly record struct IfconfigToken(string Text, int Line, bool SpansLines = false)
{
    public override string ToString() => Text;
}
