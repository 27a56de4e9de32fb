using Ipmp.Lab;

namespace Ipmp.Bench.Peers;

/// <summary>What the peers get in the host namespace instead of the daemon's own set-up: the same per-NIC
/// sysctls the daemon applies (arp_ignore 1, arp_announce 2, promote_secondaries, ignore_routes_with_linkdown),
/// and the data addresses on their home NICs.</summary>
public static class PeerHost
{
    public static readonly string[] Nics = ["net0", "net1", "net2"];

    public static void Prepare(NamespaceLab lab)
    {
        foreach (var nic in Nics)
        {
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.arp_ignore", "1");
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.arp_announce", "2");
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.promote_secondaries", "1");
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.ignore_routes_with_linkdown", "1");
        }
    }
}
