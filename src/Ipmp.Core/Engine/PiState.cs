namespace Ipmp.Core.Engine;

/// <summary>The interface's failure-detection state (illumos pi_state).</summary>
public enum PiState
{
    /// <summary>Being created.</summary>
    Init,
    /// <summary>Working (by link, and by probes where it probes).</summary>
    Running,
    /// <summary>Has a test address but no targets in either family: assumed working.</summary>
    NoTargets,
    Failed,
    Offline,
}
