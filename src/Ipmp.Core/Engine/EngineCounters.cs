namespace Ipmp.Core.Engine;

/// <summary>Counters for anomalies and work done, as in.mpathd dumps on SIGUSR1.</summary>
public sealed class EngineCounters
{
    public long Commands { get; set; }
    public long ProbesSent { get; set; }
    public long ProbesAcked { get; set; }
    /// <summary>Probes that are LOST now (a late reply that turns one ACKED takes it off again).</summary>
    public long ProbesLost { get; set; }
    /// <summary>Every time a probe was declared LOST (including those a late reply later turned ACKED).</summary>
    public long ProbesDeclaredLost { get; set; }
    /// <summary>Replies to probes already declared LOST, whether or not they then counted.</summary>
    public long LateReplies { get; set; }
    /// <summary>Replies that did not count: out of window, fake, duplicate, foreign cookie.</summary>
    public long ProbeRepliesIgnored { get; set; }
    /// <summary>Replies that could not be parsed.</summary>
    public long ProbeRepliesMalformed { get; set; }
    public long MissedProbeSlots { get; set; }
    public long AddressMoves { get; set; }
    /// <summary>Commands the network could not carry out (<see cref="Events.CommandFailed"/>).</summary>
    public long CommandFailures { get; set; }
}
