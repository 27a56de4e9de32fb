using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Lab;

/// <summary>
/// The real daemon in the lab's host namespace, started from the JIT build (<c>dotnet ipmp.dll</c>), a
/// NativeAOT binary, or another build's <c>ipmp.dll</c> (an older commit, for before/after figures), with
/// its pid for /proc figures. An <see cref="NsProcess"/> that waits for the daemon to say it is running.
/// </summary>
public sealed class BenchDaemon : IDisposable
{
    private readonly NsProcess _process;

    /// <param name="program">An executable (NativeAOT) or an <c>ipmp.dll</c> run with dotnet; null: this build's.</param>
    public BenchDaemon(NamespaceLab lab, string? program = null)
    {
        string[] command = program is null ? ["dotnet", NamespaceLab.IpmpDll]
            : program.EndsWith(".dll", StringComparison.Ordinal) ? ["dotnet", program] : [program];
        // As the installed unit runs it (SCHED_RR 1 for the event loop); IPMP_BENCH_REALTIME=0 measures without
        // and leaves the option out (0 is the daemon's default; builds older than the option refuse it).
        var rt = Environment.GetEnvironmentVariable("IPMP_BENCH_REALTIME") ?? "1";
        string[] realtime = rt == "0" ? [] : ["--realtime-priority", rt];
        _process = new NsProcess(lab.HostNs, lab.LogPath,
            [.. command, "daemon", "--config-dir", lab.ConfigDir, "--socket", lab.SocketPath, .. realtime]);
        var sw = Stopwatch.StartNew();
        while (!lab.Log.Contains("ipmp daemon running") && !_process.HasExited)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the daemon did not start:\n{lab.Log}");
            Thread.Sleep(5);
        }
        if (_process.HasExited) throw new InvalidOperationException($"the daemon exited with {_process.ExitCode}:\n{lab.Log}");
    }

    public int Pid => _process.Pid;
    public bool Running => !_process.HasExited;

    public void Dispose() => _process.Dispose();
}
