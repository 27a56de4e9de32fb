using System.Runtime.InteropServices;

namespace Ipmp.Host.Notify;

/// <summary>glibc's posix_spawn family, pidfd_open, poll, kill and waitpid: what a hook needs and
/// System.Diagnostics.Process does not give (a process group of its own, every other descriptor closed,
/// signal dispositions reset, no thread-pool readers).</summary>
internal static unsafe partial class SpawnInterop
{
    private const string Libc = "libc";

    // Opaque glibc types, allocated generously (x86-64: posix_spawnattr_t 336, posix_spawn_file_actions_t 80,
    // sigset_t 128 bytes).
    internal const int AttrSize = 1024, FileActionsSize = 512, SigSetSize = 256;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const int O_RDONLY = 0, O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    internal const short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
    internal const int SIGKILL = 9, WNOHANG = 1;
    internal const int EINTR = 4, EAGAIN = 11, ECHILD = 10, ENOSYS = 38;
    private const long SYS_pidfd_open = 434;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    internal static partial int PosixSpawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr fileActions, IntPtr attr,
        IntPtr* argv, IntPtr* envp);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    internal static partial int FileActionsInit(IntPtr actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static partial int FileActionsDestroy(IntPtr actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static partial int FileActionsAddDup2(IntPtr actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addopen")]
    internal static partial int FileActionsAddOpen(IntPtr actions, int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    /// <summary>glibc 2.34+: closes every descriptor from <paramref name="from"/> up in the child.</summary>
    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static partial int FileActionsAddCloseFrom(IntPtr actions, int from);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_init")]
    internal static partial int AttrInit(IntPtr attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_destroy")]
    internal static partial int AttrDestroy(IntPtr attr);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setflags")]
    internal static partial int AttrSetFlags(IntPtr attr, short flags);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setpgroup")]
    internal static partial int AttrSetPgroup(IntPtr attr, int pgroup);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigmask")]
    internal static partial int AttrSetSigMask(IntPtr attr, IntPtr sigset);

    [LibraryImport(Libc, EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static partial int AttrSetSigDefault(IntPtr attr, IntPtr sigset);

    [LibraryImport(Libc, EntryPoint = "sigemptyset")]
    internal static partial int SigEmptySet(IntPtr set);

    [LibraryImport(Libc, EntryPoint = "sigaddset")]
    internal static partial int SigAddSet(IntPtr set, int signal);

    [LibraryImport(Libc, EntryPoint = "pipe2", SetLastError = true)]
    internal static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport(Libc, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a, long b);

    /// <summary>A descriptor that becomes readable when <paramref name="pid"/> exits; -1 before Linux 5.3.</summary>
    internal static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0);
}
