namespace Ipmp.Core.Engine;

/// <summary>Counters for anomalies and work done, as in.mpathd dumps on SIGUSR1.</summary>
public sealed class EngineCounters
{
    public long Commands { get; set; }
    public long ProbesSent { get; set; }
    public long ProbesAcked { get; set; }
    public long ProbesLost { get; set; }
    /// <summary>Replies that did not count: out of window, fake, duplicate, foreign cookie.</summary>
    public long ProbeRepliesIgnored { get; set; }
    /// <summary>Replies that could not be parsed.</summary>
    public long ProbeRepliesMalformed { get; set; }
    public long MissedProbeSlots { get; set; }
    public long AddressMoves { get; set; }
    /// <summary>Commands the network could not carry out (<see cref="Events.CommandFailed"/>).</summary>
    public long CommandFailures { get; set; }
}
