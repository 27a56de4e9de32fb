namespace Ipmp.Host.Configuration;

/// <summary>
/// One ifconfig invocation from a hostname file: a logical line (after joining '\' continuations) split
/// into words. <see cref="Line"/> is the first physical line, used when the whole command is at fault.
/// </summary>
internal sealed record IfconfigCommandLine(int Line, IReadOnlyList<IfconfigToken> Tokens);
