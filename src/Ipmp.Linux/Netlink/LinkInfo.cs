using System.Net.NetworkInformation;

namespace Ipmp.Linux.Netlink;

/// <summary>One RTM_NEWLINK/RTM_DELLINK, decoded.</summary>
/// <param name="Carrier">IFLA_CARRIER; null when the kernel did not send it.</param>
/// <param name="HardwareAddress">IFLA_ADDRESS; null when absent (e.g. some tunnels).</param>
/// <param name="MasterIndex">IFLA_MASTER (bridge/bond the link is enslaved to); 0 for none.</param>
/// <param name="Kind">IFLA_LINKINFO/IFLA_INFO_KIND ("veth", "bridge", ...); null for plain hardware.</param>
/// <param name="LinkType">ifi_type, an ARPHRD_* value (1 = Ethernet, 772 = loopback).</param>
public sealed record LinkInfo(
    int Index,
    string Name,
    InterfaceFlags Flags,
    OperationalState OperState,
    bool? Carrier,
    PhysicalAddress? HardwareAddress,
    int Mtu,
    int MasterIndex,
    string? Kind,
    ushort LinkType)
{
    public bool IsUp => (Flags & InterfaceFlags.Up) != 0;
    public bool IsRunning => (Flags & InterfaceFlags.Running) != 0;
    public bool IsLowerUp => (Flags & InterfaceFlags.LowerUp) != 0;
    public bool IsLoopback => (Flags & InterfaceFlags.Loopback) != 0;
    public bool IsPointToPoint => (Flags & InterfaceFlags.PointToPoint) != 0;
    public bool IsMulticast => (Flags & InterfaceFlags.Multicast) != 0;
}
