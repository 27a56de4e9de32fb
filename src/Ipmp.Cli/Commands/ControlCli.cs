using System.CommandLine;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Commands;

/// <summary>What the control-socket verbs (stat, offline, online, reload, events) share.</summary>
internal static class ControlCli
{
    /// <summary>How the CLI names the daemon in place of illumos' <c>in.mpathd(8)</c>.</summary>
    public const string DaemonName = "the ipmp daemon";

    /// <summary>ipmpstat's text when the ping fails, with the daemon's name adapted.</summary>
    public const string CannotContact = "cannot contact " + DaemonName + " -- is IPMP in use?";

    public const string SocketHelp = "Control socket path (default " + ControlSocketPath.DefaultPath + ", or $" + ControlSocketPath.EnvironmentVariable + ")";

    public static Option<string?> SocketOption() => new("--socket") { Description = SocketHelp };

    /// <summary>The output writers of an invocation (the console unless a test passed its own).</summary>
    public static (TextWriter Out, TextWriter Error) Writers(ParseResult parse) =>
        (parse.InvocationConfiguration.Output ?? Console.Out, parse.InvocationConfiguration.Error ?? Console.Error);

    /// <summary>ofmt's row count: the terminal height when stdout is a terminal, else 24.</summary>
    public static int TerminalRows(TextWriter stdout)
    {
        const int Default = 24;
        if (!ReferenceEquals(stdout, Console.Out) || Console.IsOutputRedirected)
            return Default;
        try
        {
            int height = Console.WindowHeight;
            return height > 0 ? height : Default;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return Default;
        }
    }
}
