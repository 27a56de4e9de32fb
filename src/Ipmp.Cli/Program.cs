using System.CommandLine;
using Ipmp.Cli.Commands;

// ipmp: IP network multipathing for Linux. One entry point, one verb per tool.
var root = new RootCommand("ipmp: IP network multipathing (IPMP) for Linux")
{
    DaemonCommand.Create(),
    DemoCommand.Create(),
    CheckConfigCommand.Create(),
    StatCommand.Create(),
    AdminCommands.CreateOffline(),
    AdminCommands.CreateOnline(),
    ReloadCommand.Create(),
    EventsCommand.Create(),
    Ipmp.Bench.BenchCommand.Create(),
    InstallCommand.Create(),
};
// No @response-file expansion: `ipmp stat` hands its arguments to ipmpstat's getopt as typed.
return await root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null }).InvokeAsync();
