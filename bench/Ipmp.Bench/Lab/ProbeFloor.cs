using Ipmp.Lab;

namespace Ipmp.Bench.Lab;

/// <summary>
/// The probe floor (<c>bench/floor/probe-floor.c</c>, embedded in this assembly): a minimal C prober that sends
/// the daemon's probes (same NICs, test addresses, target and rate) with nothing around them. Built with the
/// machine's C compiler into the lab's directory and run in the host namespace of the same lab right after the
/// daemon (not beside it: two probers on two CPUs would slow each other down). On a machine whose cost per
/// system call and context switch moves by a factor of several between sessions, the ratio of the two shares
/// is the steadier figure.
/// </summary>
public sealed class ProbeFloor : IDisposable
{
    private readonly NsProcess _process;
    private readonly string _log;

    private ProbeFloor(NsProcess process, string log)
    {
        _process = process;
        _log = log;
    }

    public int Pid => _process.Pid;

    /// <summary>The program's closing line ("sent N received M"), once it has ended.</summary>
    public string? Result => File.Exists(_log) ? File.ReadLines(_log).LastOrDefault(l => l.StartsWith("sent ", StringComparison.Ordinal)) : null;

    /// <summary>Builds and starts the floor; null (with the reason) when there is no C compiler or the build fails.</summary>
    public static ProbeFloor? TryStart(NamespaceLab lab, string target, TimeSpan period, TimeSpan grid, TimeSpan duration,
        IEnumerable<(string Nic, string Source)> nics, out string? why)
    {
        var compiler = new[] { "/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang" }.FirstOrDefault(File.Exists);
        if (compiler is null)
        {
            why = "no C compiler (cc) to build bench/floor/probe-floor.c";
            return null;
        }
        var source = Path.Combine(lab.Dir, "probe-floor.c");
        var binary = Path.Combine(lab.Dir, "probe-floor");
        using (var resource = typeof(ProbeFloor).Assembly.GetManifestResourceStream("probe-floor.c")
            ?? throw new InvalidOperationException("probe-floor.c is not embedded in the bench"))
        using (var file = File.Create(source))
            resource.CopyTo(file);
        var built = Shell.RunProcess(compiler, "-O2", "-o", binary, source);
        if (built.ExitCode != 0)
        {
            why = $"{compiler} failed on probe-floor.c: {built.Error.Trim()}";
            return null;
        }
        var log = Path.Combine(lab.Dir, "probe-floor.log");
        string[] command =
        [
            binary, target, ((long)period.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ((long)grid.TotalMicroseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ((long)Math.Ceiling(duration.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. nics.Select(n => $"{n.Nic}={n.Source}"),
        ];
        why = null;
        return new ProbeFloor(new NsProcess(lab.HostNs, log, command), log);
    }

    /// <summary>Waits for the program to end by itself (it runs for the seconds it was given).</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!_process.HasExited && DateTime.UtcNow < until) Thread.Sleep(50);
        return _process.HasExited;
    }

    public void Dispose() => _process.Dispose();
}
