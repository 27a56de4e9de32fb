using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SIGHUP = 1;
        internal static readonly nint SIG_DFL = 0;
        internal static readonly nint SIG_IGN = 1;

        /// <summary>sigaction(2), here only to read a disposition: <paramref name="oldAction"/> receives the
        /// struct sigaction, whose first member is the handler.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sigaction", SetLastError = true)]
        internal static unsafe partial int SigAction(int signal, void* action, void* oldAction);

        /// <summary>signal(2).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "signal", SetLastError = true)]
        internal static partial nint Signal(int signal, nint handler);
    }
}
