using System.Diagnostics;

namespace Ipmp.Lab;

/// <summary>
/// One long-lived `ip -n NS -force -batch -` that runs each command line as it is written: link changes at a
/// rate that does not depend on how fast this machine can start processes (a loaded CI machine took 40 ms and
/// more per `ip`, which halved a 20 Hz flap). <see cref="Sync"/> waits until every command sent so far ran.
/// </summary>
public sealed class IpBatch : IDisposable
{
    private readonly Process _ip;
    private int _marks;

    public IpBatch(string ns)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "-n", ns, "-force", "-batch", "-" }) psi.ArgumentList.Add(a);
        _ip = Process.Start(psi)!;
        _ip.ErrorDataReceived += (_, _) => { };
        _ip.BeginErrorReadLine();
        _ip.StandardInput.AutoFlush = true;
    }

    /// <summary>Hands one command (e.g. "link set s0 down") to ip; it runs in order, as soon as ip reads it.</summary>
    public void Send(string command) => _ip.StandardInput.WriteLine(command);

    /// <summary>Returns once ip has run everything sent before (it answers a marker command in order).</summary>
    public void Sync(TimeSpan timeout)
    {
        var mark = ++_marks;
        // Only these show commands write to stdout: the first line of lo's entry is the marker's answer.
        Send("link show dev lo");
        var sw = Stopwatch.StartNew();
        var read = _ip.StandardOutput.ReadLineAsync();
        while (true)
        {
            if (!read.Wait(timeout - sw.Elapsed > TimeSpan.Zero ? timeout - sw.Elapsed : TimeSpan.Zero))
                throw new TimeoutException($"ip -batch did not catch up within {timeout.TotalSeconds:F0} s (sync {mark})");
            if (read.Result is null) throw new InvalidOperationException("ip -batch ended");
            if (read.Result.Contains(": lo:", StringComparison.Ordinal)) return;
            read = _ip.StandardOutput.ReadLineAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            _ip.StandardInput.Close();
            if (!_ip.WaitForExit(5000)) _ip.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _ip.Dispose();
    }
}
