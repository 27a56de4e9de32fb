using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Lab;

/// <summary>
/// The real daemon in the lab's host namespace, started from the JIT build (<c>dotnet ipmp.dll</c>) or a
/// NativeAOT binary. A copy of NamespaceLab.StartDaemon that can run either, and exposes the pid for
/// /proc figures. `ip netns exec` execs its command, so the pid is the daemon's.
/// </summary>
public sealed class BenchDaemon : IDisposable
{
    private readonly Process _process;
    private readonly string _logPath;

    public BenchDaemon(NamespaceLab lab, string? aotBinary = null)
    {
        _logPath = lab.LogPath;
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        string[] cmd = aotBinary is null
            ? ["netns", "exec", lab.HostNs, "dotnet", NamespaceLab.IpmpDll]
            : ["netns", "exec", lab.HostNs, aotBinary];
        foreach (var a in cmd.Concat(["daemon", "--config-dir", lab.ConfigDir, "--socket", lab.SocketPath])) psi.ArgumentList.Add(a);
        var log = new StreamWriter(_logPath, append: true) { AutoFlush = true };
        _process = Process.Start(psi)!;
        ProcessRegistry.Add(_process);
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var sw = Stopwatch.StartNew();
        while (!lab.Log.Contains("ipmp daemon running") && !_process.HasExited)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the daemon did not start:\n{lab.Log}");
            Thread.Sleep(5);
        }
        if (_process.HasExited) throw new InvalidOperationException($"the daemon exited with {_process.ExitCode}:\n{lab.Log}");
    }

    public int Pid => _process.Id;
    public bool Running => !_process.HasExited;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Shell.Run("kill", "-TERM", _process.Id.ToString());
                if (!_process.WaitForExit(5000)) _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
        ProcessRegistry.Remove(_process);
        _process.Dispose();
    }
}
