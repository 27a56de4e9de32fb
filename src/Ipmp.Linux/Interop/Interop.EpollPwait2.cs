using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>epoll_pwait2(2) (Linux 5.11, glibc 2.35): epoll_wait with a nanosecond timeout, so the
        /// loop needs no timerfd (and no timerfd_settime and read per turn). <paramref name="timeout"/> null:
        /// wait forever. <paramref name="sigmask"/> null: the thread's mask stays.</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "epoll_pwait2", SetLastError = true)]
        internal static unsafe partial int EpollPwait2(int epfd, byte* events, int maxevents, timespec* timeout, void* sigmask);
    }
}
