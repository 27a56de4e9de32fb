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
    /// <summary>Where Prometheus scrapes <c>/metrics</c> (an IPv4 address and port); null: no metrics.</summary>
    public System.Net.IPEndPoint? MetricsEndPoint { get; init; }

    /// <summary>The notify hooks; null: <c>notify.d</c> in the configuration directory.</summary>
    public string? NotifyDirectory { get; init; }

    /// <summary>How long a notify hook may run before it is killed with its process group.</summary>
    public TimeSpan NotifyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Crash handling; null: log at critical level and exit the process (systemd restarts it).</summary>
    public Runtime.Supervisor? Supervisor { get; init; }
}
