using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Runtime;

/// <summary>
/// Crash-only supervision: an unexpected exception in any of the daemon's activities is logged at critical
/// level and the process exits non-zero within a second, so that the service manager (systemd,
/// <c>Restart=on-failure</c>) starts a fresh daemon, which adopts the kernel's state and its remembered
/// failures. A half-working daemon (a dead thread behind a live control socket) is what this prevents.
/// </summary>
public sealed class Supervisor(ILogger logger, Action<int>? exit = null)
{
    public const int CrashExitCode = 70;   // EX_SOFTWARE
    private int _crashed;

    /// <summary>How long a clean exit may take before the process is ended without it.</summary>
    public static readonly TimeSpan ExitGrace = TimeSpan.FromMilliseconds(800);

    public bool Crashed => Volatile.Read(ref _crashed) != 0;

    /// <summary>The first crash wins; later ones (the same failure seen elsewhere) are only logged.</summary>
    public void Crash(string activity, Exception error)
    {
        logger.LogCritical(error, "{Activity} failed unexpectedly: {Error}; exiting so that the daemon is restarted", activity, error.Message);
        if (Interlocked.Exchange(ref _crashed, 1) != 0) return;
        if (exit is not null)
        {
            exit(CrashExitCode);
            return;
        }
        // Environment.Exit waits for the host to stop, and the host may wait for the very thread that crashed:
        // exit from a thread of its own, and end the process outright if that does not finish in time.
        new Thread(() =>
        {
            Thread.Sleep(ExitGrace);
            Environment.FailFast($"ipmp: {activity} failed and the process did not exit within {ExitGrace.TotalMilliseconds} ms");
        }) { IsBackground = true, Name = "ipmp exit guard" }.Start();
        new Thread(() => Environment.Exit(CrashExitCode)) { IsBackground = true, Name = "ipmp exit" }.Start();
    }

    /// <summary>Runs <paramref name="body"/> on a dedicated thread; its end by exception is a crash. The
    /// returned task completes when the thread ends normally.</summary>
    public Task StartThread(string name, Action body) => ThreadTask.Start(name, () =>
    {
        try
        {
            body();
        }
        catch (Exception ex)
        {
            Crash(name, ex);
            throw;
        }
    });

    /// <summary>Process-wide last resort: an exception nobody caught, or a task whose failure nobody observed.</summary>
    public void WatchProcess()
    {
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
            logger.LogCritical(e.ExceptionObject as Exception, "unhandled exception; the process ends");
        TaskScheduler.UnobservedTaskException += (_, e) =>
        {
            e.SetObserved();
            Crash("a background task", e.Exception);
        };
    }
}
