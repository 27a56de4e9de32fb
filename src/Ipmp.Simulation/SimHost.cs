using System.Net;
using System.Net.NetworkInformation;

namespace Ipmp.Simulation;

/// <summary>Another node on the link: a router, a host, or a client. It answers echo requests with a
/// configurable delay and loss, and keeps a neighbour cache that announcements update.</summary>
public sealed class SimHost(string name, PhysicalAddress mac, SimPort port, params IPAddress[] addresses)
{
    public string Name { get; } = name;
    public PhysicalAddress Mac { get; } = mac;
    public SimPort Port { get; } = port;
    public List<IPAddress> Addresses { get; } = [.. addresses];
    public TimeSpan Rtt { get; set; } = TimeSpan.FromMilliseconds(0.5);
    /// <summary>Extra random delay, uniform in [0, Jitter].</summary>
    public TimeSpan Jitter { get; set; }
    public double LossRate { get; set; }
    /// <summary>A fraction of replies is held back further, uniform in [0, <see cref="SpikeDelay"/>]
    /// (a queue that fills now and then).</summary>
    public double SpikeRate { get; set; }
    public TimeSpan SpikeDelay { get; set; }
    public bool AnswersEcho { get; set; } = true;
    public bool AnswersMulticastEcho { get; set; } = true;
    public bool Up { get; set; } = true;

    /// <summary>IP → MAC, as learned from ARP/ND and gratuitous announcements.</summary>
    public Dictionary<IPAddress, PhysicalAddress> NeighbourCache { get; } = [];

    public bool Works => Up && Port.Passes;
    public IPAddress? AddressOf(System.Net.Sockets.AddressFamily family, bool linkLocal = false) =>
        Addresses.FirstOrDefault(a => a.AddressFamily == family && (!linkLocal || a.IsIPv6LinkLocal))
        ?? Addresses.FirstOrDefault(a => a.AddressFamily == family);
}
