using Ipmp.Bench.Lab;
using Ipmp.Lab;

namespace Ipmp.Bench.Peers;

/// <summary>
/// keepalived (Debian 2.2.7), VRRP only, in the host namespace: one VRRPv3 instance per NIC at the shortest
/// advert interval (0.01 s). .50 is held by an instance on net0 (priority 200) and backed by one on net2
/// (priority 100) with the same VRID; .51 likewise on net1/net2. The instances hear each other through the
/// lab's switch, as two routers would (accept_local=1, rp_filter=0: the kernel must accept packets from its own
/// addresses). Each NIC has a /32 source address for its adverts (.10–.12). On
/// carrier loss the net0 instance goes FAULT at once (netlink) and drops the address; the net2 instance
/// takes over when its master-down timer (3 × 10 ms + skew) runs out, and sends its GARPs.
/// </summary>
public sealed class KeepalivedPeer : IFailoverSubject
{
    private NsProcess? _process;

    public string Name => "keepalived";
    public TimeSpan Settle => TimeSpan.FromMilliseconds(300);
    public TimeSpan MoveTimeout => TimeSpan.FromSeconds(5);

    public static string Config(string dir) => $$"""
        global_defs {
          router_id ipmpbench
          vrrp_version 3
          script_user root
          enable_script_security
        }
        {{Instance("v50_net0", "net0", 50, 200, "192.168.10.50/24")}}
        {{Instance("v50_net2", "net2", 50, 100, "192.168.10.50/24")}}
        {{Instance("v51_net1", "net1", 51, 200, "192.168.10.51/24")}}
        {{Instance("v51_net2", "net2", 51, 100, "192.168.10.51/24")}}
        """;

    private static string Instance(string name, string nic, int vrid, int priority, string vip) => $$"""
        vrrp_instance {{name}} {
          state BACKUP
          interface {{nic}}
          virtual_router_id {{vrid}}
          priority {{priority}}
          advert_int 0.01
          virtual_ipaddress {
            {{vip}} dev {{nic}}
          }
        }
        """;

    public void Start(NamespaceLab lab)
    {
        PeerHost.Prepare(lab);
        // The instances' adverts come from the same host: without accept_local the kernel drops a packet
        // whose source is one of its own addresses, and every instance would be master.
        NamespaceLab.Sysctl(lab.HostNs, "net.ipv4.conf.all.accept_local", "1");
        foreach (var nic in PeerHost.Nics)
        {
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.accept_local", "1");
            NamespaceLab.Sysctl(lab.HostNs, $"net.ipv4.conf.{nic}.rp_filter", "0");
        }
        NamespaceLab.Sysctl(lab.HostNs, "net.ipv4.conf.all.rp_filter", "0");
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.10/32", "dev", "net0");
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.11/32", "dev", "net1");
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.12/32", "dev", "net2");
        var conf = Path.Combine(lab.Dir, "keepalived.conf");
        File.WriteAllText(conf, Config(lab.Dir));
        _process = new NsProcess(lab.HostNs, Path.Combine(lab.Dir, "keepalived.log"),
            "keepalived", "-n", "-l", "-D", "-P", "-f", conf,
            "-p", Path.Combine(lab.Dir, "keepalived.pid"), "-r", Path.Combine(lab.Dir, "vrrp.pid"));
        Thread.Sleep(300);
        if (_process.HasExited)
            throw new InvalidOperationException($"keepalived exited with {_process.ExitCode}: {File.ReadAllText(Path.Combine(lab.Dir, "keepalived.log"))}");
    }

    public void Dispose()
    {
        _process?.Dispose();
        _process = null;
    }
}
