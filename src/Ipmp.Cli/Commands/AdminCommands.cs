using System.CommandLine;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp offline IF</c> and <c>ipmp online IF</c>: if_mpadm <c>-d</c> and <c>-r</c>, with its messages
/// (<c>if_mpadm: fatal: cannot offline IF: reason</c>) and exit status 1 on refusal.
/// </summary>
internal static class AdminCommands
{
    public const string Program = "if_mpadm";
    public const string FatalPrefix = Program + ": fatal: ";

    /// <summary>if_mpadm's minimum redundancy for -d.</summary>
    public const int MinRedundancy = 1;

    public static Command CreateOffline() => Create(offline: true);

    public static Command CreateOnline() => Create(offline: false);

    private static Command Create(bool offline)
    {
        var name = new Argument<string>("interface") { Description = "The physical interface (a member of an IPMP group)" };
        var socket = ControlCli.SocketOption();
        var command = offline
            ? new Command("offline", "Take an interface out of use, moving its addresses to the rest of its group (if_mpadm -d)") { name, socket }
            : new Command("online", "Put an offlined interface back into use (if_mpadm -r)") { name, socket };
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = ControlCli.Writers(parse);
            return await RunAsync(offline, parse.GetValue(name)!, parse.GetValue(socket), stdout, stderr, ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(bool offline, string interfaceName, string? socketPath,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var client = new ControlClient(ControlSocketPath.Resolve(socketPath));
        string verb = offline ? "offline" : "undo-offline";
        try
        {
            // if_mpadm reads the flags first; the daemon's snapshot stands in for the ioctl.
            IpmpSnapshot snapshot = await client.SnapshotAsync(cancellationToken);
            InterfaceStatus? status = snapshot.Interfaces.FirstOrDefault(i => i.Name == interfaceName);
            if (offline && status?.State == InterfaceState.Offline)
                return await FatalAsync(stderr, $"interface {interfaceName} is already offline");
            if (!offline && status is not null && status.State != InterfaceState.Offline)
                return await FatalAsync(stderr, $"interface {interfaceName} is not offline");

            AdminResult result = offline
                ? await client.OfflineAsync(interfaceName, MinRedundancy, cancellationToken)
                : await client.OnlineAsync(interfaceName, cancellationToken);
            if (!result.Ok)
                return await FatalAsync(stderr, $"cannot {verb} {interfaceName}: {Reason(result)}");
            return 0;
        }
        catch (DaemonUnreachableException)
        {
            return await FatalAsync(stderr, $"cannot {verb} {interfaceName}: cannot contact {ControlCli.DaemonName}");
        }
        catch (ControlException e)
        {
            return await FatalAsync(stderr, $"cannot {verb} {interfaceName}: {e.Message}");
        }
    }

    /// <summary>if_mpadm's texts for the two refusals it words itself; the daemon's message otherwise.</summary>
    internal static string Reason(AdminResult result) => result.Error switch
    {
        IpmpError.UnknownInterface => "not a physical interface or not in an IPMP group",
        IpmpError.MinRedundancy => "no other functioning interfaces are in its IPMP group",
        _ => result.Message,
    };

    private static async Task<int> FatalAsync(TextWriter stderr, string message)
    {
        await stderr.WriteAsync(FatalPrefix + message + "\n");
        return 1;
    }
}
