using System.CommandLine;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp reload [--socket PATH]</c>: the daemon re-reads its configuration. Its diagnostics go to stderr;
/// exit 1 when it kept the old configuration (or could not be asked).
/// </summary>
internal static class ReloadCommand
{
    private const string Prefix = "ipmp reload: ";

    public static Command Create()
    {
        var socket = ControlCli.SocketOption();
        var command = new Command("reload", "Make the daemon re-read its configuration directory") { socket };
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = ControlCli.Writers(parse);
            return await RunAsync(parse.GetValue(socket), stdout, stderr, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(string? socketPath, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var client = new ControlClient(ControlSocketPath.Resolve(socketPath));
        ReloadResult result;
        try
        {
            result = await client.ReloadAsync(cancellationToken);
        }
        catch (DaemonUnreachableException)
        {
            await stderr.WriteAsync(Prefix + ControlCli.CannotContact + "\n");
            return 1;
        }
        catch (ControlException e)
        {
            await stderr.WriteAsync(Prefix + e.Message + "\n");
            return 1;
        }

        foreach (string line in result.Diagnostics)
            await stderr.WriteAsync(line + "\n");
        if (!result.Ok)
        {
            await stderr.WriteAsync(Prefix + "configuration not applied; the previous configuration stays in effect\n");
            return 1;
        }
        await stdout.WriteAsync("configuration reloaded\n");
        return 0;
    }
}
