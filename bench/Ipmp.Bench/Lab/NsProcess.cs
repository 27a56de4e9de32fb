using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Lab;

/// <summary>A long-running program in a lab namespace (`ip netns exec NS ...`, which execs it, so the pid is
/// the program's), output appended to a log file; stopped by pid with SIGTERM, then SIGKILL.</summary>
public sealed class NsProcess : IDisposable
{
    private readonly Process _process;

    public NsProcess(string ns, string logPath, params string[] command)
    {
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command)) psi.ArgumentList.Add(a);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        _process = Process.Start(psi)!;
        ProcessRegistry.Add(_process);
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                Shell.Run("kill", "-TERM", _process.Id.ToString());
                if (!_process.WaitForExit(3000)) _process.Kill(entireProcessTree: true);
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
