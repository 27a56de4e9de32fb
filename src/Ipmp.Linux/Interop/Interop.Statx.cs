using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_FDCWD = -100;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const uint STATX_TYPE = 0x1;
        /// <summary>sizeof(struct statx); its layout is the same on every architecture.</summary>
        internal const int StatxSize = 256;
        /// <summary>Offset of stx_mode (u16) in struct statx.</summary>
        internal const int StatxModeOffset = 28;

        /// <summary>statx(2) (glibc 2.28+).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
    }
}
