using Ipmp.Core.Logging;

namespace Ipmp.Core.Tests.Scenarios;

/// <summary>Data addresses of interfaces configured but missing at start: the Solaris boot messages, one per
/// address family ("moving addresses from missing IPv4 interfaces: hme0 (moved to hme1)").</summary>
public class MissingInterfaceTests
{
    private static readonly TimeSpan Fdt = TimeSpan.FromSeconds(1);

    private static List<string> Missing(Simulation.Simulation sim) =>
        [.. sim.Log.Where(l => l.Message.Id == MessageId.InterfaceMissing).Select(l => l.Message.Text)];

    [Fact]
    public void Each_family_gets_one_message_naming_the_interface_and_where_its_addresses_went()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24", "2001:db8::50/64"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]));
        var sim = Lab.Start(config, n =>
        {
            n.AddNic("net0", present: false);
            n.AddNic("net1");
            n.AddRouter("router", "192.168.10.1");
            n.AddHost("client", "192.168.10.100");
        });
        sim.RunFor(Fdt);
        Assert.Equal(
        [
            "moving addresses from missing IPv4 interfaces: net0 (moved to net1)",
            "moving addresses from missing IPv6 interfaces: net0 (moved to net1)",
        ], Missing(sim));
        Assert.All(sim.Log.Where(l => l.Message.Id == MessageId.InterfaceMissing), l => Assert.Equal(LogLevel.Error, l.Message.Level));
        Assert.DoesNotContain(sim.Log, l => l.Message.Text.Contains("missing interface:"));

        sim.Do(n => n.Plug("net0"));
        sim.RunFor(Fdt);
        Assert.Equal("net0", sim.Holder("192.168.10.50"));
        Assert.Equal(2, Missing(sim).Count);                  // nothing more once it is there
    }

    [Fact]
    public void With_no_member_to_take_them_the_addresses_could_not_move_and_it_is_said_once()
    {
        var config = Lab.Config(Fdt, true, true, default,
            Lab.Nic("net0", 10, ["192.168.10.50/24"]),
            Lab.Nic("net1", 11, ["192.168.10.51/24"]));
        var sim = Lab.Start(config, n =>
        {
            n.AddNic("net0", present: false);
            n.AddNic("net1", present: false);
            n.AddRouter("router", "192.168.10.1");
        });
        sim.RunFor(Fdt * 5);
        Assert.Equal(["moving addresses from missing IPv4 interfaces: net0 (couldn't move; no alternative interface) net1 (couldn't move; no alternative interface)"],
            Missing(sim));

        // One of them appears: it takes its own address; the other's moves to it, and that is said.
        sim.Do(n => n.Plug("net1"));
        sim.RunFor(Fdt);
        Assert.Equal("net1", sim.Holder("192.168.10.51"));
        Assert.Equal("net1", sim.Holder("192.168.10.50"));
        Assert.Equal("moving addresses from missing IPv4 interfaces: net0 (moved to net1)", Missing(sim)[^1]);
        Assert.Equal(2, Missing(sim).Count);
    }
}
