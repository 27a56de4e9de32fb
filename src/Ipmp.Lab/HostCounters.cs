namespace Ipmp.Lab;

/// <summary>Kernel ICMP counters of a namespace (what a probe target actually received).</summary>
public static class HostCounters
{
    /// <summary>Echo requests received (IcmpInEchos) in <paramref name="ns"/>.</summary>
    public static long EchoRequestsReceived(string ns)
    {
        var snmp = Shell.Run("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").Split('\n');
        var header = snmp.First(l => l.StartsWith("Icmp: InMsgs")).Split(' ');
        var values = snmp.Where(l => l.StartsWith("Icmp: ")).Skip(1).First().Split(' ');
        return long.Parse(values[Array.IndexOf(header, "InEchos")]);
    }
}
