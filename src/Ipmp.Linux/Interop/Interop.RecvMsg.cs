using System.Net.Sockets;
using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int MSG_TRUNC = 0x20;
        internal const int MSG_CTRUNC = 0x08;
        internal const int MSG_DONTWAIT = 0x40;

        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct iovec
        {
            public void* iov_base;
            public nuint iov_len;
        }

        // Layout of the 64-bit glibc msghdr (socklen_t is padded to 8 by the following pointer).
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct msghdr
        {
            public void* msg_name;
            public uint msg_namelen;
            public iovec* msg_iov;
            public nuint msg_iovlen;
            public void* msg_control;
            public nuint msg_controllen;
            public int msg_flags;
        }

        /// <summary>
        /// recvmsg(2). The managed Socket API exposes no control messages other than IP_PKTINFO, so the
        /// SCM_TIMESTAMPNS kernel receive timestamp can only be read this way.
        /// </summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "recvmsg", SetLastError = true)]
        internal static unsafe partial nint RecvMsg(SafeSocketHandle socket, msghdr* message, int flags);
    }
}
