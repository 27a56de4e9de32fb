using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int CLOCK_MONOTONIC = 1;
        internal const int TFD_NONBLOCK = 0x800;
        internal const int TFD_CLOEXEC = 0x80000;

        [StructLayout(LayoutKind.Sequential)]
        internal struct timespec
        {
            public long tv_sec;
            public long tv_nsec;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct itimerspec
        {
            public timespec it_interval;
            public timespec it_value;
        }

        /// <summary>timerfd_create(2): a timer readable through epoll, with nanosecond resolution.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "timerfd_create", SetLastError = true)]
        internal static partial int TimerFdCreate(int clockid, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "timerfd_settime", SetLastError = true)]
        internal static unsafe partial int TimerFdSetTime(int fd, int flags, itimerspec* newValue, itimerspec* oldValue);
    }
}
