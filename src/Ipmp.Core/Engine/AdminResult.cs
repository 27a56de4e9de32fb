namespace Ipmp.Core.Engine;

/// <summary>libipmp's error codes, with their numbers (reference section 8).</summary>
public enum IpmpError
{
    Success = 0,
    Failure = 1,
    MinRedundancy = 2,
    FailbackDisabled = 3,
    UnknownAddress = 4,
    InvalidArgument = 5,
    NoMemory = 6,
    CannotContact = 7,
    UnknownGroup = 8,
    UnknownInterface = 9,
    CommunicationFailure = 10,
    HwAddrDuplicate = 11,
}

/// <summary>The answer to offline/online.</summary>
public sealed record AdminResult(IpmpError Error, string Message)
{
    public bool Ok => Error == IpmpError.Success;
    public static AdminResult Success { get; } = new(IpmpError.Success, "operation succeeded");

    public static string Describe(IpmpError e) => e switch
    {
        IpmpError.Success => "operation succeeded",
        IpmpError.Failure => "operation failed",
        IpmpError.MinRedundancy => "minimum failover redundancy not met",
        IpmpError.FailbackDisabled => "failback disabled",
        IpmpError.UnknownAddress => "unknown IPMP data address",
        IpmpError.InvalidArgument => "invalid argument",
        IpmpError.NoMemory => "out of memory",
        IpmpError.CannotContact => "cannot contact in.mpathd",
        IpmpError.UnknownGroup => "unknown IPMP group",
        IpmpError.UnknownInterface => "interface is not using IPMP",
        IpmpError.CommunicationFailure => "unable to communicate with in.mpathd",
        IpmpError.HwAddrDuplicate => "interface has duplicate hardware address",
        _ => e.ToString(),
    };
}
