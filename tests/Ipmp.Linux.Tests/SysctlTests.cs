using Ipmp.Linux.Sysctl;
using Ipmp.Linux.Tests.Lab;

namespace Ipmp.Linux.Tests;

public sealed class SysctlTests : IDisposable
{
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private string External(string path) => Ip.Run("netns", "exec", _lab.Host, "cat", path).Trim();

    [Fact]
    public void Per_interface_ipv4_and_ipv6_settings_are_written_in_the_namespace()
    {
        _lab.HostNs.Run(() =>
        {
            InterfaceSysctl.Write(Ipv4ConfKey.ArpIgnore, "h0", 1);
            InterfaceSysctl.Write(Ipv4ConfKey.ArpAnnounce, "h0", 2);
            InterfaceSysctl.Write(Ipv4ConfKey.ArpFilter, "h0", 1);
            InterfaceSysctl.Write(Ipv4ConfKey.RpFilter, "h0", 2);
            InterfaceSysctl.Write(Ipv6ConfKey.DadTransmits, "h1", 3);
        });
        Assert.Equal((1, 2, 1, 2, 3), _lab.HostNs.Run(() => (
            InterfaceSysctl.Read(Ipv4ConfKey.ArpIgnore, "h0"),
            InterfaceSysctl.Read(Ipv4ConfKey.ArpAnnounce, "h0"),
            InterfaceSysctl.Read(Ipv4ConfKey.ArpFilter, "h0"),
            InterfaceSysctl.Read(Ipv4ConfKey.RpFilter, "h0"),
            InterfaceSysctl.Read(Ipv6ConfKey.DadTransmits, "h1"))));
        // Seen from outside (another process in the namespace), so the writes really went there.
        Assert.Equal("2", External(InterfaceSysctl.PathOf(Ipv4ConfKey.RpFilter, "h0")));
        Assert.Equal("3", External(InterfaceSysctl.PathOf(Ipv6ConfKey.DadTransmits, "h1")));
        Assert.Equal(0, _lab.HostNs.Run(() => InterfaceSysctl.Read(Ipv6ConfKey.AcceptDad, "all")));
    }

    [Fact]
    public void Unknown_interface_and_bad_names_give_clear_errors()
    {
        var e = Assert.Throws<SysctlException>(() => _lab.HostNs.Run(() => InterfaceSysctl.Read(Ipv4ConfKey.ArpIgnore, "nosuch0")));
        Assert.Contains("no such interface", e.Message);
        Assert.EndsWith("/ipv4/conf/nosuch0/arp_ignore", e.Path);
        Assert.Throws<SysctlException>(() => _lab.HostNs.Run(() => InterfaceSysctl.Write(Ipv6ConfKey.AcceptRa, "nosuch0", 0)));
        Assert.Throws<ArgumentException>(() => InterfaceSysctl.PathOf(Ipv4ConfKey.RpFilter, "../../x"));
        Assert.Throws<ArgumentException>(() => InterfaceSysctl.PathOf(Ipv4ConfKey.RpFilter, ""));
    }
}
