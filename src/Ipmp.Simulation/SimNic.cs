using System.Net.NetworkInformation;
using Ipmp.Core.Events;
using Ipmp.Core.Status;

namespace Ipmp.Simulation;

/// <summary>A NIC of the simulated host, cabled to a switch port.</summary>
public sealed class SimNic(string name, int index, PhysicalAddress mac, SimPort port)
{
    public string Name { get; } = name;
    public int Index { get; set; } = index;
    public PhysicalAddress Mac { get; set; } = mac;
    public SimPort Port { get; } = port;
    public bool Present { get; set; } = true;
    public bool AdminUp { get; set; } = true;
    /// <summary>A driver that does not report link state: carrier shows as unknown.</summary>
    public bool ReportsCarrier { get; set; } = true;

    /// <summary>Frames leave and arrive.</summary>
    public bool Works => Present && AdminUp && Port.Passes;

    public bool Multicast { get; set; } = true;
    public bool Loopback { get; set; }
    public bool PointToPoint { get; set; }
    public bool NoArp { get; set; }
    /// <summary>ARPHRD_* media type.</summary>
    public ushort LinkType { get; set; } = LinkTypes.Ether;

    public LinkInfo ToLinkInfo() => new(Name, Index, Mac, AdminUp,
        !ReportsCarrier ? LinkState.Unknown : AdminUp && Port.Carrier ? LinkState.Up : LinkState.Down,
        Multicast, Loopback, PointToPoint, NoArp, LinkType);
}
