using System.CommandLine;
using System.Runtime.InteropServices;
using Ipmp.Cli.Stat;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Cli.Commands;

/// <summary>
/// <c>ipmp stat [ipmpstat arguments] [--socket PATH]</c>: ipmpstat. The arguments are ipmpstat's own
/// (<c>[-n] [-o field[,...] [-P]] -a|-g|-i|-p|-t</c>, plus <c>-j</c>) and reach <see cref="StatOptions.Parse"/>
/// untouched; only <c>--socket PATH</c> / <c>--socket=PATH</c> is taken out first (never when it is -o's value).
/// </summary>
internal static class StatCommand
{
    public const string Name = "stat";

    public static Command Create()
    {
        var args = new Argument<string[]>("ipmpstat-args")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "ipmpstat's options: [-n] [-o field[,...] [-P]] -a|-g|-i|-p|-t (and -j), and --socket PATH",
        };
        var command = new Command(Name, "Show IPMP groups, interfaces, addresses, targets or probes (ipmpstat)") { args };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var (stdout, stderr) = ControlCli.Writers(parse);
            return await RunAsync(RawArguments(parse), stdout, stderr, ct);
        });
        return command;
    }

    /// <summary>
    /// The tokens after <c>stat</c> exactly as typed (a <c>--</c> included, which System.CommandLine would
    /// otherwise swallow), so ipmpstat's getopt sees what the user wrote.
    /// </summary>
    private static List<string> RawArguments(ParseResult parse)
    {
        var tokens = parse.Tokens;
        int start = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == System.CommandLine.Parsing.TokenType.Command && tokens[i].Value == "stat")
            {
                start = i + 1;
                break;
            }
        }
        return [.. tokens.Skip(start).Select(t => t.Value)];
    }

    /// <summary>
    /// Takes <c>--socket PATH</c> / <c>--socket=PATH</c> out of an ipmpstat command line. A token that is the
    /// value of <c>-o</c> (<c>-o VALUE</c>, or a bundle ending in o such as <c>-gPo VALUE</c>) is left alone,
    /// and so is everything after <c>--</c>.
    /// </summary>
    internal static (string? Socket, List<string> StatArgs, string? Error) SplitSocketOption(IReadOnlyList<string> args)
    {
        string? socket = null;
        var rest = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }
            if (a == "--socket")
            {
                if (i + 1 >= args.Count)
                    return (null, rest, "option requires an argument -- socket");
                socket = args[++i];
                continue;
            }
            if (a.StartsWith("--socket=", StringComparison.Ordinal))
            {
                socket = a["--socket=".Length..];
                continue;
            }
            rest.Add(a);
            if (a.Length > 1 && a[0] == '-' && a[1] != '-' && a.IndexOf('o', 1) == a.Length - 1 && i + 1 < args.Count)
                rest.Add(args[++i]);   // -o's value, whatever it looks like
        }
        return (socket, rest, null);
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken, IHostNameResolver? resolver = null, int? rows = null)
    {
        var (socket, statArgs, splitError) = SplitSocketOption(args);
        if (splitError is not null)
        {
            await stderr.WriteAsync(StatMessages.Fatal(splitError));
            return StatMessages.ExitFailure;
        }

        StatParseResult parsed = StatOptions.Parse(statArgs);
        if (!parsed.Succeeded)
        {
            await stderr.WriteAsync(parsed.Error);
            return parsed.ExitCode;
        }
        await stderr.WriteAsync(parsed.Warnings);
        StatOptions options = parsed.Options;

        var client = new ControlClient(ControlSocketPath.Resolve(socket));
        try
        {
            await client.PingAsync(cancellationToken);
        }
        catch (ControlException)
        {
            await stderr.WriteAsync(StatMessages.Fatal(ControlCli.CannotContact));
            return StatMessages.ExitFailure;
        }

        var renderer = new IpmpStatRenderer(resolver, stderr, rows ?? ControlCli.TerminalRows(stdout));
        try
        {
            IpmpSnapshot snapshot = await client.SnapshotAsync(cancellationToken);
            if (options.Mode != StatMode.Probe)
            {
                await stdout.WriteAsync(renderer.Render(snapshot, options));
                await stdout.FlushAsync(cancellationToken);
                return 0;
            }
            if (!IpmpStatRenderer.ProbingEnabled(snapshot))
            {
                await stderr.WriteAsync(StatMessages.Fatal(StatMessages.ProbingDisabled));
                return StatMessages.ExitFailure;
            }
            return await StreamProbesAsync(client, renderer, options, stdout, stderr, rows is null, cancellationToken);
        }
        catch (ControlException e) when (e.PermissionDenied)
        {
            await stderr.WriteAsync(StatMessages.Fatal(StatMessages.InsufficientPrivileges));
            return StatMessages.ExitFailure;
        }
        catch (ControlException e)
        {
            await stderr.WriteAsync(StatMessages.Fatal(e.Message));
            return StatMessages.ExitFailure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;   // ^C
        }
    }

    /// <summary>-p: rows as probe events arrive, until interrupted.</summary>
    private static async Task<int> StreamProbesAsync(ControlClient client, IpmpStatRenderer renderer, StatOptions options,
        TextWriter stdout, TextWriter stderr, bool followTerminal, CancellationToken cancellationToken)
    {
        await using ControlSubscription subscription = await client.SubscribeAsync(probes: true, changes: false, cancellationToken);
        ProbeRowStream rows = renderer.CreateProbeStream(options, subscription.DaemonNow);

        // Re-read the terminal height on SIGWINCH, as ipmpstat does; applied before the next row.
        int pendingRows = 0;
        using PosixSignalRegistration? winch = followTerminal && !OperatingSystem.IsWindows()
            ? PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => Volatile.Write(ref pendingRows, ControlCli.TerminalRows(stdout)))
            : null;

        await foreach (ControlEvent e in subscription.ReadAllAsync(cancellationToken))
        {
            if (e.Probe is null)
                continue;
            if (Interlocked.Exchange(ref pendingRows, 0) is > 0 and var height)
                rows.Rows = height;
            string text = rows.Format(e.Probe);
            if (text.Length == 0)
                continue;
            await stdout.WriteAsync(text);
            await stdout.FlushAsync(cancellationToken);
        }
        await stderr.WriteAsync(StatMessages.Fatal($"{ControlCli.DaemonName} closed the probe event stream"));
        return StatMessages.ExitFailure;
    }
}
