using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Ipmp.Linux.Namespaces;

namespace Ipmp.Lab;

/// <summary>
/// A throwaway network in namespaces: the host under test (NICs net0.. as veths), a switch (a bridge,
/// with one port s0.. per NIC), a router (192.168.10.1, fe80::1), a client (192.168.10.100, 2001:db8:10::100)
/// and optional extra hosts. The real daemon runs in the host namespace. Everything carries a unique prefix
/// and is deleted on every exit path, the daemon included.
/// </summary>
public sealed class NamespaceLab : IDisposable
{
    private static readonly List<NamespaceLab> Live = [];

    static NamespaceLab()
    {
        // A test run that is aborted still cleans up.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Live) foreach (var lab in Live.ToList()) lab.Dispose();
        };
    }

    public string Prefix { get; }
    public string HostNs => Prefix + "host";
    public string SwitchNs => Prefix + "sw";
    public string RouterNs => Prefix + "rtr";
    public string ClientNs => Prefix + "cli";
    public string Dir { get; }
    public string ConfigDir => Path.Combine(Dir, "etc");
    public string SocketPath => Path.Combine(Dir, "ipmpd.sock");
    public string LogPath => Path.Combine(Dir, "daemon.log");
    public IReadOnlyList<string> Nics { get; }
    private readonly List<string> _namespaces = [];
    private readonly List<string> _hosts = [];
    private Process? _daemon;
    private bool _disposed;

    public NamespaceLab(int nics = 3, bool router = true, IEnumerable<string>? absentNics = null)
    {
        Prefix = $"ipmpi-{Random.Shared.Next(0x1000000):x6}-";
        Dir = Directory.CreateTempSubdirectory("ipmp-lab-").FullName;
        Directory.CreateDirectory(ConfigDir);
        Nics = [.. Enumerable.Range(0, nics).Select(i => $"net{i}")];
        lock (Live) Live.Add(this);
        try
        {
            Build(router, absentNics?.ToHashSet() ?? []);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void AddNamespace(string name)
    {
        Shell.Ip("netns", "add", name);
        _namespaces.Add(name);
        Shell.Ip("-n", name, "link", "set", "lo", "up");
        // Addresses are usable at once (no DAD wait) on every veth created later.
        Sysctl(name, "net.ipv6.conf.default.accept_dad", "0");
        Sysctl(name, "net.ipv6.conf.all.accept_dad", "0");
    }

    public static void Sysctl(string ns, string key, string value) =>
        Shell.Run("ip", "netns", "exec", ns, "sysctl", "-qw", $"{key}={value}");

    private void Build(bool router, HashSet<string> absent)
    {
        AddNamespace(SwitchNs);
        AddNamespace(HostNs);
        AddNamespace(ClientNs);
        Shell.Ip("-n", SwitchNs, "link", "add", "br0", "type", "bridge", "forward_delay", "0");
        Shell.Ip("-n", SwitchNs, "link", "set", "br0", "up");
        foreach (var nic in Nics.Where(n => !absent.Contains(n))) PlugNic(nic);
        if (router)
        {
            AddNamespace(RouterNs);
            Attach(RouterNs, "r0", "sr", ["192.168.10.1/24", "2001:db8:10::1/64", "fe80::1/64"]);
            // The host's default routes point at the router (onlink: the daemon adds the subnet routes).
            var first = Nics.FirstOrDefault(n => !absent.Contains(n));
            if (first is not null) Shell.Ip("-n", HostNs, "route", "add", "default", "via", "192.168.10.1", "dev", first, "onlink");
        }
        Attach(ClientNs, "c0", "sc", ["192.168.10.100/24", "2001:db8:10::100/64"]);
    }

    /// <summary>Another host on the link (a probe target or a multicast responder).</summary>
    public string AddHost(string address, bool answersMulticast = true)
    {
        var i = _hosts.Count;
        var ns = $"{Prefix}h{i}";
        AddNamespace(ns);
        Attach(ns, "e0", $"sh{i}", [address]);
        if (answersMulticast) Sysctl(ns, "net.ipv4.icmp_echo_ignore_broadcasts", "0");
        _hosts.Add(ns);
        return ns;
    }

    private void Attach(string ns, string dev, string port, string[] addresses)
    {
        Shell.Ip("-n", ns, "link", "add", dev, "type", "veth", "peer", "name", port, "netns", SwitchNs);
        Shell.Ip("-n", SwitchNs, "link", "set", port, "master", "br0", "up");
        foreach (var a in addresses) Shell.Ip("-n", ns, "addr", "add", a, "dev", dev, "nodad");
        Shell.Ip("-n", ns, "link", "set", dev, "up");
    }

    /// <summary>Creates a NIC of the host (at start, or later: a NIC that was missing at boot appears).</summary>
    public void PlugNic(string nic)
    {
        var port = "s" + nic[3..];
        Shell.Ip("-n", HostNs, "link", "add", nic, "type", "veth", "peer", "name", port, "netns", SwitchNs);
        Shell.Ip("-n", SwitchNs, "link", "set", port, "master", "br0", "up");
        Shell.Ip("-n", HostNs, "link", "set", nic, "up");
    }

    /// <summary>
    /// Makes the switch's ports process what they receive in NAPI threads of their own (GRO on, so that
    /// veth uses NAPI, and threaded NAPI). Without it a veth lab runs the switch's and the target's work (the
    /// bridge, the echo reply, the way back) inside the sender's sendmsg, so it is billed to the daemon as
    /// its CPU time; on a real link that work happens on other machines. For figures of the daemon's own CPU.
    /// False (and nothing changed) without ethtool.
    /// </summary>
    public bool SwitchPortsInOwnThreads()
    {
        if (!File.Exists("/usr/sbin/ethtool") && !File.Exists("/sbin/ethtool")) return false;
        var ports = Nics.Select(Port).Concat(["sr", "sc"]).Concat(_hosts.Select((_, i) => $"sh{i}"));
        var script = string.Join("; ", ports.Select(p =>
            $"[ -e /sys/class/net/{p} ] && ethtool -K {p} gro on rx-udp-gro-forwarding on && echo 1 > /sys/class/net/{p}/threaded"));
        Shell.Run("ip", "netns", "exec", SwitchNs, "sh", "-c", script + "; true");
        return true;
    }

    /// <summary>The NIC is removed from the system (its veth deleted).</summary>
    public void UnplugNic(string nic) => Shell.Ip("-n", HostNs, "link", "del", nic);

    public static string Port(string nic) => "s" + nic[3..];

    /// <summary>A long-lived `ip -batch` in the switch's namespace, for link changes faster than a process each.</summary>
    public IpBatch SwitchBatch() => new(SwitchNs);

    /// <summary>Carrier loss: the switch-side end goes down.</summary>
    public void PullCable(string nic) => Shell.Ip("-n", SwitchNs, "link", "set", Port(nic), "down");
    public void PlugCable(string nic) => Shell.Ip("-n", SwitchNs, "link", "set", Port(nic), "up");

    /// <summary>The switch port stops passing frames while carrier stays up.</summary>
    public void KillPort(string nic) => Shell.Run("bridge", "-n", SwitchNs, "link", "set", "dev", Port(nic), "state", "0");
    public void RepairPort(string nic) => Shell.Run("bridge", "-n", SwitchNs, "link", "set", "dev", Port(nic), "state", "3");

    // ---- configuration and the daemon ----

    public void WriteConfig(string mpathd, IReadOnlyDictionary<string, string> files)
    {
        foreach (var f in Directory.GetFiles(ConfigDir)) File.Delete(f);
        File.WriteAllText(Path.Combine(ConfigDir, "mpathd"), mpathd);
        foreach (var (name, content) in files) File.WriteAllText(Path.Combine(ConfigDir, name), content);
    }

    /// <summary>The usual group: net0 (.50) and net1 (.51) active, net2 a standby; test addresses .10–.12.</summary>
    public void WriteStandardConfig(int fdtMs, bool failback = true, bool v6 = false)
    {
        var files = new Dictionary<string, string>
        {
            ["hostname.net0"] = "192.168.10.50/24 group ipmp0 up \\\naddif 192.168.10.10/24 deprecated -failover up\n",
            ["hostname.net1"] = "192.168.10.51/24 group ipmp0 up \\\naddif 192.168.10.11/24 deprecated -failover up\n",
        };
        if (Nics.Count > 2) files["hostname.net2"] = "group ipmp0 standby up \\\naddif 192.168.10.12/24 deprecated -failover up\n";
        if (v6)
        {
            files["hostname6.net0"] = "-failover group ipmp0 up\naddif 2001:db8:10::50/64 up\n";
            files["hostname6.net1"] = "-failover group ipmp0 up\n";
            if (Nics.Count > 2) files["hostname6.net2"] = "-failover group ipmp0 standby up\n";
        }
        WriteConfig($"FAILURE_DETECTION_TIME={fdtMs}\nFAILBACK={(failback ? "yes" : "no")}\n", files);
    }

    /// <summary>The CLI to run the daemon from: next to the running program (tests, the CLI itself).</summary>
    public static string IpmpDll { get; set; } = Path.Combine(AppContext.BaseDirectory, "ipmp.dll");

    /// <param name="environment">Extra environment variables for the daemon (e.g. IPMP_TEST_FAULT).</param>
    /// <param name="arguments">Extra daemon options (e.g. --metrics-address).</param>
    /// <param name="launcher">A command the daemon is started through inside the namespace (e.g. nohup).</param>
    public void StartDaemon(bool waitReady = true, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? arguments = null,
        IEnumerable<string>? launcher = null)
    {
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in new[] { "netns", "exec", HostNs }.Concat(launcher ?? [])
                     .Concat(["dotnet", IpmpDll, "daemon", "--config-dir", ConfigDir, "--socket", SocketPath]))
            psi.ArgumentList.Add(a);
        foreach (var a in arguments ?? []) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        var log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
        _daemon = Process.Start(psi)!;
        _daemon.StandardInput.Close();
        _daemon.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _daemon.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        if (waitReady)
        {
            var sw = Stopwatch.StartNew();
            while (!Log.Contains("ipmp daemon running") && !_daemon.HasExited)
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException($"the daemon did not start:\n{Log}");
                Thread.Sleep(5);
            }
        }
        if (_daemon.HasExited) throw new InvalidOperationException($"the daemon exited with {_daemon.ExitCode}:\n{Log}");
    }

    public string Log
    {
        get
        {
            try
            {
                using var fs = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                return new StreamReader(fs).ReadToEnd();
            }
            catch (FileNotFoundException)
            {
                return "";
            }
        }
    }

    public bool DaemonRunning => _daemon is { HasExited: false };

    /// <summary>The daemon's resident set (VmRSS) in KiB.</summary>
    public long DaemonRssKiB()
    {
        var line = File.ReadLines($"/proc/{_daemon!.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the daemon to exit on its own; its exit code, or
    /// null if it is still running.</summary>
    public int? WaitForDaemonExit(TimeSpan timeout)
    {
        if (_daemon is null) return null;
        if (!_daemon.WaitForExit(timeout)) return null;
        _daemon.WaitForExit();   // and its output
        return _daemon.ExitCode;
    }

    /// <summary>Sends a signal (HUP, TERM, ...) to the daemon.</summary>
    public void Signal(string signal) => Shell.Run("kill", "-" + signal, _daemon!.Id.ToString());

    /// <summary>SIGTERM (a clean stop) or SIGKILL, then waits for the process to go.</summary>
    public int StopDaemon(bool kill = false)
    {
        if (_daemon is null) return -1;
        if (!_daemon.HasExited)
        {
            // `ip netns exec` execs dotnet, so the pid is the daemon's.
            Shell.Run("kill", kill ? "-KILL" : "-TERM", _daemon.Id.ToString());
            if (!_daemon.WaitForExit(5000)) _daemon.Kill(entireProcessTree: true);
        }
        _daemon.WaitForExit();
        var code = _daemon.ExitCode;
        _daemon.Dispose();
        _daemon = null;
        return code;
    }

    // ---- what the kernel and the client see ----

    /// <summary>Addresses per NIC in the host namespace (`ip -j addr`).</summary>
    public Dictionary<string, List<string>> Addresses()
    {
        var json = Shell.Ip("-n", HostNs, "-j", "addr", "show");
        var result = new Dictionary<string, List<string>>();
        foreach (var link in JsonDocument.Parse(json).RootElement.EnumerateArray())
        {
            var name = link.GetProperty("ifname").GetString()!;
            var list = new List<string>();
            if (link.TryGetProperty("addr_info", out var infos))
                foreach (var a in infos.EnumerateArray())
                    list.Add($"{a.GetProperty("local").GetString()}/{a.GetProperty("prefixlen").GetInt32()}");
            result[name] = list;
        }
        return result;
    }

    /// <summary>The NICs that hold <paramref name="address"/> right now.</summary>
    public List<string> Holders(string address) =>
        Addresses().Where(kv => kv.Value.Any(a => a.StartsWith(address + "/", StringComparison.Ordinal))).Select(kv => kv.Key).ToList();

    public string? Holder(string address) => Holders(address) is [var one] ? one : null;

    public string Mac(string nic)
    {
        var json = Shell.Ip("-n", HostNs, "-j", "link", "show", nic);
        return JsonDocument.Parse(json).RootElement[0].GetProperty("address").GetString()!;
    }

    /// <summary>The MAC the client's neighbour cache has for <paramref name="address"/>, if any.</summary>
    public string? ClientNeighbour(string address)
    {
        var json = Shell.Ip("-n", ClientNs, "-j", "neigh", "show", address);
        foreach (var n in JsonDocument.Parse(json).RootElement.EnumerateArray())
            if (n.TryGetProperty("lladdr", out var mac)) return mac.GetString();
        return null;
    }

    public string Describe() =>
        $"addresses: {string.Join("; ", Addresses().Select(kv => $"{kv.Key}: {string.Join(' ', kv.Value)}"))}\n" +
        $"routes:\n{Safe(() => Shell.Ip("-n", HostNs, "route"))}" +
        (DaemonRunning ? $"--- ipmpstat -i / -tn ---\n{Safe(() => Shell.Run("dotnet", IpmpDll, "stat", "-i", "--socket", SocketPath))}{Safe(() => Shell.Run("dotnet", IpmpDll, "stat", "-tn", "--socket", SocketPath))}" : "") +
        $"--- daemon log ---\n{Log}";

    private static string Safe(Func<string> f)
    {
        try
        {
            return f();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"({e.Message})\n";
        }
    }

    public NetworkNamespace OpenNamespace(string ns) => NetworkNamespace.Open(ns);

    public void Dispose()
    {
        lock (this)
        {
            if (_disposed) return;
            _disposed = true;
        }
        try
        {
            StopDaemon();
        }
        catch (Exception)
        {
            try { _daemon?.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        foreach (var ns in Enumerable.Reverse(_namespaces)) Shell.TryIp("netns", "del", ns);
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
        lock (Live) Live.Remove(this);
    }
}
