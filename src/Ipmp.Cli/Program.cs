using System.CommandLine;
using Ipmp.Cli.Commands;

// ipmp: IP network multipathing for Linux. One entry point, one verb per tool.
var root = new RootCommand("ipmp: IP network multipathing (IPMP) for Linux")
{
    DaemonCommand.Create(),
    DemoCommand.Create(),
    CheckConfigCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
