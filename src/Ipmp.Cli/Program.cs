// ipmp: IP network multipathing for Linux. One entry point, one verb per tool.
return await Ipmp.Cli.IpmpCli.RunAsync(args);
