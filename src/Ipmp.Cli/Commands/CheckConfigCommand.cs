using System.CommandLine;
using Ipmp.Host.Configuration;

namespace Ipmp.Cli.Commands;

/// <summary><c>ipmp check-config [--config-dir DIR]</c>: parse the configuration and report what it says.</summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--config-dir")
        {
            Description = "Configuration directory (mpathd, hostname.<if>, hostname6.<if>)",
            DefaultValueFactory = _ => ConfigDirectory.DefaultPath,
        };
        var command = new Command("check-config", "Check a configuration directory without applying it") { dir };
        command.SetAction(parse =>
        {
            var result = ConfigDirectory.Load(parse.GetValue(dir)!);
            foreach (var d in result.Diagnostics)
                Console.Error.WriteLine($"{d.Severity.ToString().ToLowerInvariant()}: {d}");
            if (result.Config is not { } config) return 1;
            var s = config.Settings;
            Console.WriteLine($"FAILURE_DETECTION_TIME={(int)s.FailureDetectionTime.TotalMilliseconds} FAILBACK={(s.Failback ? "yes" : "no")} TRACK_INTERFACES_ONLY_WITH_GROUPS={(s.TrackInterfacesOnlyWithGroups ? "yes" : "no")}{(s.TransitiveProbing ? " TRANSITIVE_PROBING=yes" : "")}");
            foreach (var g in config.Groups)
                Console.WriteLine($"group {g.Name}: {string.Join(' ', g.DataAddresses)}");
            foreach (var i in config.Interfaces)
                Console.WriteLine($"interface {i.Name}: group {(i.InNamedGroup ? i.Group : "--")}{(i.Standby ? " standby" : "")}" +
                    $" data [{string.Join(' ', i.DataAddresses)}] test {i.TestAddressV4?.ToString() ?? "--"}{(i.ProbeV6 ? " probe-v6" : "")}");
            return 0;
        });
        return command;
    }
}
