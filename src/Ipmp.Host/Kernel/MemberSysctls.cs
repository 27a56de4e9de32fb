using Ipmp.Linux.Sysctl;

namespace Ipmp.Host.Kernel;

/// <summary>Per-NIC kernel settings every group member needs.</summary>
public static class MemberSysctls
{
    public static void Apply(string nic)
    {
        // Each NIC answers ARP only for its own addresses and announces with them (no "ARP flux"),
        // otherwise replies to one NIC's test address arrive on another and its probes look lost.
        InterfaceSysctl.Write(Ipv4ConfKey.ArpIgnore, nic, 1);
        InterfaceSysctl.Write(Ipv4ConfKey.ArpAnnounce, nic, 2);
        // Replies to a standby's or a failed NIC's probes arrive on a NIC that outbound routes do not use;
        // strict reverse-path filtering (rp_filter=1, the default on some distributions) would drop them.
        // Loose mode still drops what no route could explain. The effective value is max(all, this NIC).
        InterfaceSysctl.Write(Ipv4ConfKey.RpFilter, nic, 2);
        // Removing an address must never take the others of its subnet with it (the default removes all
        // secondaries with the primary).
        Write($"/proc/sys/net/ipv4/conf/{nic}/promote_secondaries", "1");
        // A next hop through a NIC that lost carrier is skipped by the kernel at once, before the daemon
        // has even rewritten the routes.
        Write($"/proc/sys/net/ipv4/conf/{nic}/ignore_routes_with_linkdown", "1");
        Write($"/proc/sys/net/ipv6/conf/{nic}/ignore_routes_with_linkdown", "1");
    }

    private static void Write(string path, string value)
    {
        try
        {
            File.WriteAllText(path, value);
        }
        catch (DirectoryNotFoundException)
        {
            // IPv6 disabled on this NIC, or the NIC vanished meanwhile.
        }
    }
}
