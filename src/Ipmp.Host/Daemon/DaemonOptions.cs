using Ipmp.Host.Kernel;

namespace Ipmp.Host.Daemon;

public sealed record DaemonOptions
{
    public string ConfigDirectory { get; init; } = Configuration.ConfigDirectory.DefaultPath;
    public string? SocketPath { get; init; }
    public AnnouncementSettings Announcements { get; init; } = new();
}
