internal static partial class Interop
{
    internal static class Libraries
    {
        // glibc; the runtime resolves "libc" to libc.so.6 on Linux.
        internal const string Libc = "libc";
    }
}
