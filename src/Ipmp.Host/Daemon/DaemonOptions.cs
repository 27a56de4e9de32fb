using Ipmp.Host.Kernel;

namespace Ipmp.Host.Daemon;

public sealed record DaemonOptions
{
    public string ConfigDirectory { get; init; } = Configuration.ConfigDirectory.DefaultPath;
    public string? SocketPath { get; init; }

    /// <summary>The state file (memory across restarts); null: <c>state.json</c> beside the control socket.</summary>
    public string? StateFilePath { get; init; }
    public AnnouncementSettings Announcements { get; init; } = new();
    /// <summary>SCHED_RR priority for the event loop's thread; 0 leaves it to ordinary scheduling.</summary>
    public int RealtimePriority { get; init; }
    /// <summary>Crash handling; null: log at critical level and exit the process (systemd restarts it).</summary>
    public Runtime.Supervisor? Supervisor { get; init; }
}
