using System.CommandLine;

namespace Ipmp.Dev;

/// <summary>The verbs only a checkout has.</summary>
public static class DevCommands
{
    public static IReadOnlyList<Command> Create() =>
    [
        DemoCommand.Create(),
        Bench.BenchCommand.Create(),
        PackageCommand.Create(),
    ];
}
