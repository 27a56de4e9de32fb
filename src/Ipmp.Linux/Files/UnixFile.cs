using System.Runtime.InteropServices;

namespace Ipmp.Linux.Files;

/// <summary>The type of a file-system entry (the S_IFMT bits of st_mode).</summary>
public enum UnixFileType
{
    Regular,
    Directory,
    SymbolicLink,
    Socket,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Unknown,
}

/// <summary>What .NET does not tell: whether a path is a regular file, a socket, a FIFO, a device... (statx).</summary>
public static class UnixFile
{
    /// <summary>The entry's type; null when it does not exist (or, following links, when a link dangles or loops).</summary>
    /// <param name="followSymlinks">True: the type of what a symbolic link points to (stat); false: the link itself (lstat).</param>
    /// <exception cref="IOException">Any other failure (e.g. EACCES on a directory on the way).</exception>
    public static unsafe UnixFileType? TypeOf(string path, bool followSymlinks = true)
    {
        var buffer = stackalloc byte[Interop.Libc.StatxSize];
        if (Interop.Libc.Statx(Interop.Libc.AT_FDCWD, path, followSymlinks ? 0 : Interop.Libc.AT_SYMLINK_NOFOLLOW,
                Interop.Libc.STATX_TYPE, buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is (int)LinuxErrno.ENOENT or ENOTDIR or ELOOP) return null;
            throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
        var mode = *(ushort*)(buffer + Interop.Libc.StatxModeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => UnixFileType.Regular,
            0x4000 => UnixFileType.Directory,
            0xA000 => UnixFileType.SymbolicLink,
            0xC000 => UnixFileType.Socket,
            0x1000 => UnixFileType.Fifo,
            0x2000 => UnixFileType.CharacterDevice,
            0x6000 => UnixFileType.BlockDevice,
            _ => UnixFileType.Unknown,
        };
    }

    private const int ENOTDIR = 20;
    private const int ELOOP = 40;
}
