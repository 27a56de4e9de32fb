namespace Ipmp.Linux.Netlink;

/// <summary>
/// The kernel refused a request: an NLMSG_ERROR with a negative errno (or a failed dump's NLMSG_DONE).
/// <see cref="ExtendedAckMessage"/> is the kernel's NLMSGERR_ATTR_MSG text, when it sent one.
/// </summary>
public sealed class NetlinkException(int errno, string? extendedAckMessage, string operation)
    : Exception(Describe(errno, extendedAckMessage, operation))
{
    /// <summary>The positive errno value.</summary>
    public int ErrorNumber { get; } = errno;

    /// <summary>The errno as a name; values outside <see cref="LinuxErrno"/> still compare by number.</summary>
    public LinuxErrno Errno => (LinuxErrno)ErrorNumber;

    public string? ExtendedAckMessage { get; } = extendedAckMessage;

    public string Operation { get; } = operation;

    private static string Describe(int errno, string? ext, string op)
    {
        var name = Enum.IsDefined((LinuxErrno)errno) ? ((LinuxErrno)errno).ToString() : $"errno {errno}";
        return ext is { Length: > 0 } ? $"{op}: {name}: {ext}" : $"{op}: {name}";
    }
}
