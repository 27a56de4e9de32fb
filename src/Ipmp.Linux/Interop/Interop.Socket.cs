using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AF_NETLINK = 16;
        internal const int SOCK_RAW = 3;
        internal const int SOCK_CLOEXEC = 0x80000;

        /// <summary>
        /// socket(2). Needed because System.Net.Sockets refuses AF_NETLINK before reaching the kernel
        /// (its PAL only knows UNSPEC/UNIX/INET/INET6/PACKET/CAN).
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
        internal static partial int Socket(int domain, int type, int protocol);
    }
}
