using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Simulation;

namespace Ipmp.Dev.Demo;

/// <summary>The demo's link: group ipmp0 with net0 and net1 active and net2 a standby, a router, two hosts.</summary>
internal static class DemoLab
{
    public static IpmpConfig Config(TimeSpan fdt) => new(
        new DaemonSettings(fdt, Failback: true, TrackInterfacesOnlyWithGroups: true),
        [new GroupConfig("ipmp0", [])],
        [
            new InterfaceConfig("net0", "ipmp0", false,
                [IpPrefix.Parse("192.168.10.50/24"), IpPrefix.Parse("2001:db8:10::50/64")],
                IpPrefix.Parse("192.168.10.10/24"), ProbeV6: true),
            new InterfaceConfig("net1", "ipmp0", false, [IpPrefix.Parse("192.168.10.51/24")],
                IpPrefix.Parse("192.168.10.11/24"), ProbeV6: true),
            new InterfaceConfig("net2", "ipmp0", true, [], IpPrefix.Parse("192.168.10.12/24"), ProbeV6: true),
        ]);

    /// <summary>The same group with no test address: the data addresses and TRANSITIVE_PROBING=yes.</summary>
    public static IpmpConfig TransitiveConfig(TimeSpan fdt) => new(
        new DaemonSettings(fdt, Failback: true, TrackInterfacesOnlyWithGroups: true, TransitiveProbing: true),
        [new GroupConfig("ipmp0", [])],
        [
            new InterfaceConfig("net0", "ipmp0", false, [IpPrefix.Parse("192.168.10.50/24")], null, ProbeV6: false),
            new InterfaceConfig("net1", "ipmp0", false, [], null, ProbeV6: false),
            new InterfaceConfig("net2", "ipmp0", true, [], null, ProbeV6: false),
        ]);

    public static void Build(SimNetwork n)
    {
        n.AddNic("net0");
        n.AddNic("net1");
        n.AddNic("net2");
        n.AddRouter("router", "192.168.10.1", "fe80::1");
        n.AddHost("host", "192.168.10.2");
        n.AddHost("client", "192.168.10.100", "2001:db8:10::100");
    }

    public static readonly string[] DataAddresses = ["192.168.10.50", "2001:db8:10::50", "192.168.10.51"];
    public static readonly Dictionary<string, string> Home = new()
    {
        ["192.168.10.50"] = "net0", ["2001:db8:10::50"] = "net0", ["192.168.10.51"] = "net1",
    };
}
