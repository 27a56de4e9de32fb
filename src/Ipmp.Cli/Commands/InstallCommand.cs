using System.CommandLine;
using Ipmp.Cli.Install;

namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp install [--prefix DIR] [--unit-dir DIR] [--source DIR | --from-dir DIR] [--dotnet PATH]
/// [--config-dir DIR] [--dry-run]</c>: see <see cref="Installer"/>.
/// </summary>
internal static class InstallCommand
{
    public static Command Create()
    {
        var prefix = new Option<string>("--prefix")
        {
            Description = "Installation prefix: lib/ipmp, bin/ipmp, bin/ipmpstat, sbin/if_mpadm, share/ipmp/examples",
            DefaultValueFactory = _ => InstallOptions.DefaultPrefix,
        };
        var unitDir = new Option<string?>("--unit-dir") { Description = "Where to write ipmpd.service (default PREFIX/lib/systemd/system)" };
        var source = new Option<string?>("--source") { Description = "Source tree (repository root) to publish from (default: the one this program was built from)" };
        var fromDir = new Option<string?>("--from-dir") { Description = "Copy this already-built directory (with ipmp.dll) instead of publishing" };
        var dotnet = new Option<string?>("--dotnet") { Description = "The dotnet host to publish with and for the launcher to run (default: the running one, else PATH)" };
        var configDir = new Option<string>("--config-dir")
        {
            Description = "The configuration directory the service uses (never written by install)",
            DefaultValueFactory = _ => Host.Configuration.ConfigDirectory.DefaultPath,
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be done; change nothing" };
        var jit = new Option<bool>("--jit") { Description = "Install the framework-dependent build instead of NativeAOT" };
        var command = new Command("install",
            "Install the daemon and CLI, the ipmpstat and if_mpadm commands, a systemd unit and example configuration")
        {
            prefix, unitDir, source, fromDir, dotnet, configDir, dryRun, jit,
        };
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = ControlCli.Writers(parse);
            var options = new InstallOptions
            {
                Prefix = parse.GetValue(prefix)!,
                UnitDirectory = parse.GetValue(unitDir),
                SourceTree = parse.GetValue(source),
                BuildDirectory = parse.GetValue(fromDir),
                DotnetHost = parse.GetValue(dotnet),
                ConfigDirectory = parse.GetValue(configDir)!,
                DryRun = parse.GetValue(dryRun),
                Jit = parse.GetValue(jit),
            };
            return await new Installer(options, stdout, stderr).RunAsync(ct);
        });
        return command;
    }
}
