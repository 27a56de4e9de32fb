using System.Net;

namespace Ipmp.Core.Probing;

public enum TargetKind { Router, Host }

/// <summary>ACTIVE targets are probed; UNUSED wait for a free slot; SLOW and DEAD sit out 60 s each.</summary>
public enum TargetStatus { Active, Unused, Slow, Dead }

/// <summary>One probe target of one probing instance, with its own RTT estimate.</summary>
public sealed class ProbeTarget(IPAddress address, TargetKind kind, TimeSpan now)
{
    public IPAddress Address { get; } = address;
    public TargetKind Kind { get; } = kind;
    public TargetStatus Status { get; private set; } = TargetStatus.Active;
    public TimeSpan StatusSince { get; private set; } = now;
    public RttEstimator Rtt { get; } = new();

    /// <summary>Highest sequence number acked from this target (older samples are ignored).</summary>
    public ushort? LastAckedSequence { get; set; }

    public void SetStatus(TargetStatus status, TimeSpan now)
    {
        Status = status;
        StatusSince = now;
    }

    public override string ToString() => $"{Address} ({Kind}, {Status})";
}
