using System.CommandLine;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp events [--probes] [--socket PATH]</c>: one JSON object per line for every state change (and probe
/// event with <c>--probes</c>, which needs root), until interrupted. Each line is the event frame as the
/// daemon sent it, e.g. <c>{"v":1,"event":"change","change":{"at":1234.5,"kind":...}}</c>.
/// </summary>
internal static class EventsCommand
{
    private const string Prefix = "ipmp events: ";

    public static Command Create()
    {
        var probes = new Option<bool>("--probes") { Description = "Include probe events (needs root)" };
        var socket = ControlCli.SocketOption();
        var command = new Command("events", "Print state changes as JSON lines until interrupted") { probes, socket };
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = ControlCli.Writers(parse);
            return await RunAsync(parse.GetValue(probes), parse.GetValue(socket), stdout, stderr, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(bool probes, string? socketPath, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var client = new ControlClient(ControlSocketPath.Resolve(socketPath));
        try
        {
            await using ControlSubscription subscription = await client.SubscribeAsync(probes, changes: true, cancellationToken);
            await foreach (ControlEvent e in subscription.ReadAllAsync(cancellationToken))
            {
                await stdout.WriteAsync(e.Json + "\n");
                await stdout.FlushAsync(cancellationToken);
            }
            await stderr.WriteAsync(Prefix + ControlCli.DaemonName + " closed the event stream\n");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;   // ^C
        }
        catch (DaemonUnreachableException)
        {
            await stderr.WriteAsync(Prefix + ControlCli.CannotContact + "\n");
            return 1;
        }
        catch (ControlException e) when (e.PermissionDenied)
        {
            await stderr.WriteAsync(Prefix + "insufficient privileges for --probes\n");
            return 1;
        }
        catch (ControlException e)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            return 1;
        }
    }
}
