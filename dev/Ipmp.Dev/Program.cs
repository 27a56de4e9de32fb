// ipmp-dev: what ./ipmp runs in a checkout. The shipped CLI's verbs, plus demo, bench and package.
return await Ipmp.Cli.IpmpCli.RunAsync(args, Ipmp.Dev.DevCommands.Create());
