using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Lab;

/// <summary>
/// The real daemon in the lab's host namespace, started from the JIT build (<c>dotnet ipmp.dll</c>) or a
/// NativeAOT binary, with its pid for /proc figures. An <see cref="NsProcess"/> that waits for the daemon
/// to say it is running.
/// </summary>
public sealed class BenchDaemon : IDisposable
{
    private readonly NsProcess _process;

    public BenchDaemon(NamespaceLab lab, string? aotBinary = null)
    {
        string[] program = aotBinary is null ? ["dotnet", NamespaceLab.IpmpDll] : [aotBinary];
        // As the installed unit runs it (SCHED_RR 1 for the event loop); IPMP_BENCH_REALTIME=0 measures without.
        var rt = Environment.GetEnvironmentVariable("IPMP_BENCH_REALTIME") ?? "1";
        _process = new NsProcess(lab.HostNs, lab.LogPath,
            [.. program, "daemon", "--config-dir", lab.ConfigDir, "--socket", lab.SocketPath, "--realtime-priority", rt]);
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
