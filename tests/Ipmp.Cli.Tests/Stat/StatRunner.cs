using Ipmp.Cli.Stat;
using Ipmp.Core.Status;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>Parses an ipmpstat command line and renders it, as the command will.</summary>
internal static class StatRunner
{
    public static string[] Args(string commandLine) =>
        commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static StatOptions Options(string commandLine)
    {
        StatParseResult result = StatOptions.Parse(Args(commandLine));
        Assert.True(result.Succeeded, result.Error);
        return result.Options;
    }

    public static string Run(string commandLine, IpmpSnapshot snapshot, IHostNameResolver? resolver = null,
        TextWriter? warnings = null, int rows = 24)
    {
        var renderer = new IpmpStatRenderer(resolver ?? new FakeHostNameResolver(), warnings, rows);
        return renderer.Render(snapshot, Options(commandLine));
    }

    public static string RunProbes(string commandLine, IEnumerable<ProbeEvent> events, TimeSpan start,
        IHostNameResolver? resolver = null, TextWriter? warnings = null, int rows = 24)
    {
        var renderer = new IpmpStatRenderer(resolver ?? new FakeHostNameResolver(), warnings, rows);
        return renderer.RenderProbeRows(events, Options(commandLine), start);
    }
}
