using System.CommandLine;
using System.Runtime.InteropServices;
using Ipmp.Cli.Commands;

namespace Ipmp.Cli;

/// <summary>
/// The <c>ipmp</c> command line: the verbs an installed system needs. A developer build (<c>dev/Ipmp.Dev</c>, what
/// <c>./ipmp</c> runs in a checkout) passes its own verbs (demo, bench, package) as <paramref name="extra"/>; the
/// shipped binary has none of them.
/// </summary>
public static class IpmpCli
{
    public static RootCommand CreateRoot(IEnumerable<Command>? extra = null)
    {
        var root = new RootCommand("ipmp: IP network multipathing (IPMP) for Linux")
        {
            DaemonCommand.Create(),
            CheckConfigCommand.Create(),
            StatCommand.Create(),
            AdminCommands.CreateOffline(),
            AdminCommands.CreateOnline(),
            ReloadCommand.Create(),
            EventsCommand.Create(),
            InstallCommand.Create(),
        };
        foreach (Command command in extra ?? [])
            root.Subcommands.Add(command);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, IEnumerable<Command>? extra = null)
    {
        // ipmpstat and if_mpadm parse their own arguments with illumos' getopt rules, -h and --help included
        // (System.CommandLine would answer those with its own help).
        if (args.Length > 0 && args[0] is StatCommand.Name or IfMpadmCommand.Name)
        {
            // ^C or SIGTERM ends a running `stat -p` cleanly (exit 0), as System.CommandLine does for the others.
            using var cts = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
            return args[0] == StatCommand.Name
                ? await StatCommand.RunAsync(args[1..], Console.Out, Console.Error, cts.Token)
                : await IfMpadmCommand.RunAsync(args[1..], Console.Error, cts.Token);
        }
        // No @response-file expansion: arguments reach the verbs as typed.
        return await CreateRoot(extra).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();
    }
}
