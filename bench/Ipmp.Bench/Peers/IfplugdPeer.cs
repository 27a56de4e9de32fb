using Ipmp.Bench.Lab;
using Ipmp.Lab;

namespace Ipmp.Bench.Peers;

/// <summary>
/// ifplugd (Debian 0.28) on net0, net1 and net2 of the host namespace at its fastest settings: poll every
/// 1 ms (-t 0 -T 1000), no up/down delay (-u 0 -d 0). Its action script moves a NIC's data address the
/// way the daemon does: add on the standby net2, delete from the failed NIC, one gratuitous ARP with
/// arping -U (iputils-arping); and back on "up".
/// </summary>
public sealed class IfplugdPeer : IFailoverSubject
{
    private readonly List<NsProcess> _processes = [];

    public string Name => "ifplugd";
    public TimeSpan Settle => TimeSpan.FromMilliseconds(300);
    public TimeSpan MoveTimeout => TimeSpan.FromSeconds(8);

    public const string Script = """
        #!/bin/sh
        # ifplugd action: $1 = interface, $2 = up|down. Make-before-break, then one gratuitous ARP.
        case "$1" in
          net0) A=192.168.10.50/24 ;;
          net1) A=192.168.10.51/24 ;;
          *) exit 0 ;;
        esac
        IP=${A%/*}
        if [ "$2" = down ]; then
          ip addr add "$A" dev net2 2>/dev/null
          ip addr del "$A" dev "$1" 2>/dev/null
          arping -q -U -c 1 -I net2 "$IP" >/dev/null 2>&1 &
        else
          ip addr add "$A" dev "$1" 2>/dev/null
          ip addr del "$A" dev net2 2>/dev/null
          arping -q -U -c 1 -I "$1" "$IP" >/dev/null 2>&1 &
        fi
        exit 0
        """;

    public void Start(NamespaceLab lab)
    {
        PeerHost.Prepare(lab);
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.50/24", "dev", "net0");
        Shell.Ip("-n", lab.HostNs, "addr", "add", "192.168.10.51/24", "dev", "net1");
        var script = Path.Combine(lab.Dir, "ifplugd.action");
        File.WriteAllText(script, Script.Replace("\r", "") + "\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var nic in PeerHost.Nics)
            _processes.Add(new NsProcess(lab.HostNs, Path.Combine(lab.Dir, $"ifplugd-{nic}.log"),
                "ifplugd", "-n", "-s", "-a", "-p", "-q", "-I", "-f", "-i", nic, "-r", script, "-t", "0", "-T", "1000", "-u", "0", "-d", "0"));
        Thread.Sleep(300);
        foreach (var p in _processes)
            if (p.HasExited) throw new InvalidOperationException($"ifplugd exited with {p.ExitCode}: {File.ReadAllText(Path.Combine(lab.Dir, "ifplugd-net0.log"))}");
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        _processes.Clear();
    }
}
