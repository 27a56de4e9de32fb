internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int EINTR = 4;
        internal const int EAGAIN = 11;
    }
}
