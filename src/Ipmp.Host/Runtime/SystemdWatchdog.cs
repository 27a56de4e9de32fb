using System.Text;

namespace Ipmp.Host.Runtime;

/// <summary>
/// systemd's watchdog (sd_watchdog_enabled, sd_notify "WATCHDOG=1"): when the unit sets <c>WatchdogSec=</c>,
/// systemd passes WATCHDOG_USEC (and WATCHDOG_PID) and restarts the service if no ping arrives in time.
/// The event loop pings from its own thread at half the interval, so a wedged loop is restarted even
/// though the process is alive.
/// </summary>
public sealed class SystemdWatchdog(string notifySocket, TimeSpan interval)
{
    private static readonly byte[] Watchdog = Encoding.ASCII.GetBytes("WATCHDOG=1");

    public TimeSpan Interval { get; } = interval;

    public static SystemdWatchdog? FromEnvironment()
    {
        var socket = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (string.IsNullOrEmpty(socket) || !long.TryParse(usec, out var us) || us <= 0) return null;
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString()) return null;
        return new SystemdWatchdog(socket, TimeSpan.FromTicks(us * 10 / 2));
    }

    public void Ping() => SystemdNotify.Send(notifySocket, Watchdog);
}
