namespace Ipmp.Core.Probing;

public enum ProbeRecordStatus { Unused, Unacked, Acked, Lost }

/// <summary>One slot of the per-instance probe history ring.</summary>
public struct ProbeRecord
{
    public ushort Sequence;
    public ProbeTarget? Target;
    public TimeSpan Start;
    public TimeSpan Sent;
    public TimeSpan? AckReceived;
    public TimeSpan? AckProcessed;
    public TimeSpan? LostAt;
    public ProbeRecordStatus Status;
}
