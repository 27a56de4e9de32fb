using System.Net;

namespace Ipmp.Core.Probing;

/// <summary>Router and Host are ICMP targets; Peer is another member, probed at the link layer (transitive).</summary>
public enum TargetKind { Router, Host, Peer }

/// <summary>ACTIVE targets are probed; UNUSED wait for a free slot; SLOW and DEAD sit out 60 s each.</summary>
public enum TargetStatus { Active, Unused, Slow, Dead }

/// <summary>One probe target of one probing instance, with its own RTT estimate.</summary>
public sealed class ProbeTarget(IPAddress address, TargetKind kind, TimeSpan now, string? peer = null)
{
    /// <summary>The ICMP target; <see cref="IPAddress.None"/> for a <see cref="TargetKind.Peer"/>.</summary>
    public IPAddress Address { get; } = address;
    /// <summary>The member a transitive probe goes to (its MAC is looked up at each send: it may change).</summary>
    public string? Peer { get; } = peer;
    /// <summary>How logs and ipmpstat name it: the address, or the member in angle brackets as Solaris 11 does.</summary>
    public string Display => Peer is null ? Address.ToString() : $"<{Peer}>";
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

    public override string ToString() => $"{Display} ({Kind}, {Status})";
}
