using System.Collections.Immutable;
using System.Net;
using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Core.Status;
using Ipmp.Simulation;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Builds the usual simulated link: a group of NICs with test addresses, a router, hosts and a client.</summary>
public static class Lab
{
    public const string Group = "ipmp0";

    public static InterfaceConfig Nic(string name, int testHost, string[] data, bool standby = false, bool v6 = false,
        string? group = Group) =>
        new(name, group, standby, [.. data.Select(IpPrefix.Parse)],
            testHost > 0 ? IpPrefix.Parse($"192.168.10.{testHost}/24") : null, v6);

    public static IpmpConfig Config(TimeSpan fdt, bool failback = true, bool trackOnlyGroups = true,
        ImmutableArray<IpPrefix> groupAddresses = default, params InterfaceConfig[] nics) =>
        new(new DaemonSettings(fdt, failback, trackOnlyGroups),
            [new GroupConfig(Group, groupAddresses.IsDefault ? [] : groupAddresses)],
            [.. nics]);

    /// <summary>net0 (.50) and net1 (.51) active, net2 standby, all probing; a router at .1.</summary>
    public static IpmpConfig ThreeNics(TimeSpan fdt, bool failback = true) => Config(fdt, failback, true, default,
        Nic("net0", 10, ["192.168.10.50/24"]),
        Nic("net1", 11, ["192.168.10.51/24"]),
        Nic("net2", 12, [], standby: true));

    public static void Topology(SimNetwork n, params string[] nics) => Topology(n, router: true, nics);

    public static void Topology(SimNetwork n, bool router, params string[] nics)
    {
        foreach (var nic in nics) n.AddNic(nic);
        if (router) n.AddRouter("router", "192.168.10.1");
        n.AddHost("host2", "192.168.10.2");
        n.AddHost("client", "192.168.10.100");
    }

    public static Simulation.Simulation Start(IpmpConfig config, Action<SimNetwork>? build = null, int seed = 1)
    {
        var names = config.Interfaces.Select(i => i.Name).ToArray();
        return new Simulation.Simulation(config, build ?? (n => Topology(n, names)), seed);
    }

    public static string? Holder(this Simulation.Simulation sim, string address) =>
        sim.Network.WhoHas(IPAddress.Parse(address));

    public static bool ClientReaches(this Simulation.Simulation sim, string address) =>
        sim.Network.CanReach(sim.Network.Host("client"), IPAddress.Parse(address));

    public static InterfaceState StateOf(this Simulation.Simulation sim, string nic) => sim.Interface(nic).State;
}
