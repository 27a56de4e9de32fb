using Ipmp.Core.Engine;

namespace Ipmp.Host.Control;

/// <summary>A control request failed: the daemon refused it, or the exchange itself failed.</summary>
public class ControlException : Exception
{
    public ControlException(IpmpError error, string message, int errno = 0, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
        Errno = errno;
    }

    /// <summary>The libipmp-style error number.</summary>
    public IpmpError Error { get; }

    /// <summary>The errno behind an <see cref="IpmpError.Failure"/>, or 0.</summary>
    public int Errno { get; }

    /// <summary>The daemon refused because the caller is not privileged (EPERM).</summary>
    public bool PermissionDenied => Errno == ControlProtocol.EPERM;
}

/// <summary>
/// Nobody answers on the control socket (ECONNREFUSED, or no socket file: ENOENT). libipmp's
/// IPMP_ECANTCONTACT; ipmpstat says "cannot contact in.mpathd -- is IPMP in use?".
/// </summary>
public sealed class DaemonUnreachableException : ControlException
{
    public DaemonUnreachableException(string socketPath, Exception? inner = null)
        : base(IpmpError.CannotContact, $"{AdminResult.Describe(IpmpError.CannotContact)}: nothing listens on {socketPath}", 0, inner)
    {
        SocketPath = socketPath;
    }

    public string SocketPath { get; }
}

/// <summary>A frame or message that breaks the protocol (bad length, bad JSON, missing or invalid member).</summary>
public sealed class ControlProtocolException(string message, Exception? inner = null) : FormatException(message, inner);
