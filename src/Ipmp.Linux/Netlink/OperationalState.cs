namespace Ipmp.Linux.Netlink;

/// <summary>IFLA_OPERSTATE values (IF_OPER_*, RFC 2863). Unknown: the driver does not report carrier.</summary>
public enum OperationalState : byte
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}
