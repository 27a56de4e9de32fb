namespace Ipmp.Linux.Sysctl;

/// <summary>A sysctl could not be read or written; <see cref="Path"/> is the /proc/sys file involved.</summary>
public sealed class SysctlException(string path, string message, Exception? inner = null)
    : Exception($"{path}: {message}", inner)
{
    public string Path { get; } = path;
}
