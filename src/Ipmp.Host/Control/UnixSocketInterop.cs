using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Ipmp.Host.Control;

/// <summary>The peer of a Unix stream socket, from SO_PEERCRED (struct ucred: pid, uid, gid).</summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Unknown peer: treated as unprivileged.</summary>
    public static PeerCredentials Unknown { get; } = new(0, uint.MaxValue, uint.MaxValue);

    public bool IsRoot => Uid == 0;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        try
        {
            int n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
            if (n < 12)
                return Unknown;
        }
        catch (SocketException)
        {
            return Unknown;
        }
        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }
}

/// <summary>What is at a path, without following a symlink (statx(2), whose layout is the same on every architecture).</summary>
internal static partial class UnixPathKind
{
    public enum Kind { Missing, Socket, Other }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int SIfMt = 0xF000;
    private const int SIfSock = 0xC000;
    private const int ENOENT = 2;

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

    public static Kind Of(string path)
    {
        var buffer = new byte[256];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == ENOENT ? Kind.Missing : throw new IOException($"cannot stat {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        ushort mode = MemoryMarshal.Read<ushort>(buffer.AsSpan(28));   // struct statx: stx_mode at offset 28
        return (mode & SIfMt) == SIfSock ? Kind.Socket : Kind.Other;
    }
}
