namespace Ipmp.Core.Probing;

/// <summary>The message type word of a probe (illumos values).</summary>
public enum ProbeKind : uint
{
    /// <summary>Unicast failure-detection probe (PROBE_UNI).</summary>
    Unicast = 0x1234,
    /// <summary>Multicast target discovery (PROBE_MULTI).</summary>
    Multicast = 0x5678,
    /// <summary>RTT-only probe, sent between failure probes while the FDT is raised (PROBE_RTT).</summary>
    Rtt = 0x9abc,
}
