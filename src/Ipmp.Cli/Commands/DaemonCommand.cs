using System.CommandLine;
using Ipmp.Host.Daemon;

namespace Ipmp.Cli.Commands;

/// <summary><c>ipmp daemon [--config-dir DIR] [--socket PATH] [--state-file PATH] [--metrics-address ADDR:PORT]
/// [--notify-timeout SECONDS]</c>: in.mpathd, in the foreground.</summary>
internal static class DaemonCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--config-dir")
        {
            Description = "Configuration directory (mpathd, hostname.<if>, hostname6.<if>)",
            DefaultValueFactory = _ => Host.Configuration.ConfigDirectory.DefaultPath,
        };
        var socket = new Option<string?>("--socket") { Description = "Control socket path (default /run/ipmp/ipmpd.sock, or $IPMP_SOCKET)" };
        var stateFile = new Option<string?>("--state-file")
        {
            Description = "State kept across restarts: failed, offline and inactive interfaces (default state.json beside the control socket)",
        };
        var count = new Option<int>("--announce-count")
        {
            Description = "Gratuitous ARPs / unsolicited NAs sent for a moved address",
            DefaultValueFactory = _ => 3,
        };
        var interval = new Option<int>("--announce-interval")
        {
            Description = "Milliseconds between those announcements",
            DefaultValueFactory = _ => 200,
        };
        var realtime = new Option<int>("--realtime-priority")
        {
            Description = "SCHED_RR priority (1-99) for the event loop, so that a failover never waits for a busy CPU; 0: off",
            DefaultValueFactory = _ => 0,
        };
        var metrics = new Option<string?>("--metrics-address")
        {
            Description = "Serve Prometheus metrics on http://ADDR:PORT/metrics (an IPv4 address, e.g. 127.0.0.1:9464; default: off)",
        };
        var notifyTimeout = new Option<double>("--notify-timeout")
        {
            Description = "Seconds a hook in CONFIG-DIR/notify.d may run before it is killed with its process group",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("daemon", "Run the IPMP daemon in the foreground (logs to stderr)")
        {
            dir, socket, stateFile, count, interval, realtime, metrics, notifyTimeout,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot())
            {
                Console.Error.WriteLine("ipmp daemon: must run as root (it changes addresses and opens raw sockets)");
                return 1;
            }
            System.Net.IPEndPoint? metricsAt = null;
            if (parse.GetValue(metrics) is { } address && !Host.Metrics.MetricsEndpoint.TryParse(address, out metricsAt, out var error))
            {
                Console.Error.WriteLine($"ipmp daemon: --metrics-address {error}");
                return 2;
            }
            var timeout = parse.GetValue(notifyTimeout);
            if (!(timeout is > 0 and <= 3600))
            {
                Console.Error.WriteLine("ipmp daemon: --notify-timeout must be more than 0 and at most 3600 seconds");
                return 2;
            }
            return await DaemonHost.RunAsync(new DaemonOptions
            {
                ConfigDirectory = parse.GetValue(dir)!,
                SocketPath = parse.GetValue(socket),
                StateFilePath = parse.GetValue(stateFile),
                RealtimePriority = Math.Clamp(parse.GetValue(realtime), 0, 99),
                MetricsEndPoint = metricsAt,
                NotifyTimeout = TimeSpan.FromSeconds(timeout),
                Announcements = new Host.Kernel.AnnouncementSettings(
                    Math.Clamp(parse.GetValue(count), 1, 100), TimeSpan.FromMilliseconds(Math.Clamp(parse.GetValue(interval), 1, 60_000))),
            });
        });
        return command;
    }

    private static bool IsRoot() => File.Exists("/proc/self/status") &&
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:"))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
}
