namespace Ipmp.Core.Engine;

/// <summary>Knobs that are not in /etc/default/mpathd.</summary>
public sealed record EngineOptions
{
    /// <summary>Goes into the high byte of the ICMP identifier (illumos uses the pid; the host passes it).</summary>
    public int RunId { get; init; }

    /// <summary>Per-run cookie carried in every probe; replies without it never count. The host draws it at
    /// random; the core has no randomness of its own.</summary>
    public ulong Cookie { get; init; }

    /// <summary>Lost probes are ignored this long after a probe instance is created (spanning tree): when the
    /// interface appears (start, hot-plug, re-plumb) or joins a group; not on online, link-up or a new test
    /// address.</summary>
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>What a reply to a probe already declared lost does: illumos counts it (the default); the
    /// alternative is kept only for the comparison on a jittery path (JitteryPathTests).</summary>
    public Probing.LateReplyRule LateReplies { get; init; } = Probing.LateReplyRule.CountsAsAck;

    /// <summary>When the newest probe is the one that would complete a failure (the probes before it are the
    /// last four LOST), judge it at its own deadline instead of at the next send slot, as illumos would. The
    /// default (true) is a deliberate difference: illumos' worst case is 6.5 probe intervals after the port
    /// died, 0.93 × FDT, leaving 7 % of the FDT for everything else; ours is 5.5 intervals plus the CRTT,
    /// about 0.8 × FDT (ProbeDetectionMarginTests). False: illumos' rule, for that comparison.</summary>
    public bool JudgeDecidingProbeAtDeadline { get; init; } = true;

    /// <summary>How long a missing test address is tolerated before it is logged.</summary>
    public TimeSpan TestAddressGrace { get; init; } = TimeSpan.FromSeconds(20);
}
