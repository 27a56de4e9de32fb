using System.Net.Sockets;
using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>
        /// sendto(2). Socket.SendTo serialises its EndPoint into a new SocketAddress and goes through the
        /// PAL's async context on every call; the probes (several a second per NIC) and the loop's netlink
        /// requests (the failover's address add) send with a sockaddr built on the stack instead.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sendto", SetLastError = true)]
        internal static unsafe partial nint SendTo(SafeSocketHandle socket, byte* buffer, nuint length, int flags, byte* address, uint addressLength);
    }
}
