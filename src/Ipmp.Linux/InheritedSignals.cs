namespace Ipmp.Linux;

/// <summary>
/// Signal dispositions a daemon inherits. A process started under <c>nohup</c> (or by a parent that ignores
/// SIGHUP) inherits SIGHUP ignored, and the .NET runtime then leaves it ignored even when a handler is
/// registered for it: <c>kill -HUP</c> would reload nothing and say nothing.
/// </summary>
public static class InheritedSignals
{
    /// <summary>If SIGHUP is ignored, makes it default again (call right before registering a handler);
    /// true when it was ignored.</summary>
    public static unsafe bool UnignoreHangup()
    {
        // struct sigaction is 152 bytes on x86-64 and arm64 glibc; sa_handler comes first.
        var old = stackalloc byte[256];
        if (Interop.Libc.SigAction(Interop.Libc.SIGHUP, null, old) != 0) return false;
        if (*(nint*)old != Interop.Libc.SIG_IGN) return false;
        Interop.Libc.Signal(Interop.Libc.SIGHUP, Interop.Libc.SIG_DFL);
        return true;
    }
}
