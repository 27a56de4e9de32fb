namespace Ipmp.Core.Logging;

public enum LogLevel { Info, Error }

/// <summary>One log line, with a stable id so that tests and monitoring need not match on text.</summary>
public sealed record LogMessage(MessageId Id, LogLevel Level, string Text)
{
    public override string ToString() => Text;
}
