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

    /// <summary>How long a missing test address is tolerated before it is logged.</summary>
    public TimeSpan TestAddressGrace { get; init; } = TimeSpan.FromSeconds(20);
}
