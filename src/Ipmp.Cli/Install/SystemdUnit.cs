namespace Ipmp.Cli.Install;

/// <summary>The systemd unit <c>ipmpd.service</c> that <c>ipmp install</c> writes.</summary>
internal static class SystemdUnit
{
    public const string FileName = "ipmpd.service";

    /// <summary>
    /// The unit. The daemon needs root (uid 0, it checks), CAP_NET_ADMIN (addresses, routes, links, sysctls
    /// in /proc/sys/net) and CAP_NET_RAW (ICMP/ICMPv6 probe sockets, AF_PACKET announcements); the bounding set
    /// keeps only those. Deliberately absent: ProtectKernelTunables (the daemon writes net sysctls),
    /// MemoryDenyWriteExecute (the .NET JIT maps executable memory), PrivateNetwork/RestrictNamespaces of the
    /// network, and a SystemCallFilter (not verified against the .NET runtime; a miss kills it with SIGSYS).
    /// </summary>
    public static string Text(string ipmpLauncher, string configDirectory) => $"""
        [Unit]
        Description=IPMP daemon: IP network multipathing (in.mpathd) for Linux
        Documentation=https://illumos.org/man/8/in.mpathd
        After=network-pre.target
        Wants=network-pre.target
        Before=network.target

        [Service]
        Type=notify
        ExecStart={Quoting.SystemdExecWord(ipmpLauncher)} daemon --config-dir {Quoting.SystemdExecWord(configDirectory)} --realtime-priority 1
        # Prometheus metrics on http://ADDR:PORT/metrics (off by default): replace the line above with, e.g.,
        #ExecStart={Quoting.SystemdExecWord(ipmpLauncher)} daemon --config-dir {Quoting.SystemdExecWord(configDirectory)} --metrics-address 127.0.0.1:9464 --realtime-priority 1
        # Hooks: executable files in {configDirectory}/notify.d run on each state change (--notify-timeout, default 10 s).
        ExecReload=/bin/kill -HUP $MAINPID
        Restart=on-failure
        RestartSec=2s
        # The event loop pings from its own thread every WatchdogSec/2; a wedged loop is restarted.
        WatchdogSec=10s
        # The control socket's directory (/run/ipmp/ipmpd.sock) and the state file (/run/ipmp/state.json: failed,
        # offline and inactive interfaces, so that a crash or an upgrade during an outage does not forget them).
        # Kept when the service stops or restarts (the default would delete it); /run is emptied at reboot.
        RuntimeDirectory=ipmp
        RuntimeDirectoryMode=0755
        RuntimeDirectoryPreserve=yes
        UMask=0022

        # Root with only the network capabilities: CAP_NET_ADMIN for addresses, routes and net sysctls,
        # CAP_NET_RAW for the ICMP probe sockets and the gratuitous ARP / unsolicited NA packets.
        User=root
        CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW
        # The event loop runs SCHED_RR 1 (--realtime-priority 1): a failover never waits for a busy CPU. Allowed
        # by this limit, without CAP_SYS_NICE; the kernel's RT throttling still bounds a runaway loop.
        LimitRTPRIO=1
        AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW
        NoNewPrivileges=yes

        # Hardening that leaves the daemon its job. Not set on purpose: ProtectKernelTunables (the daemon
        # writes /proc/sys/net), MemoryDenyWriteExecute (the .NET JIT), PrivateNetwork, SystemCallFilter.
        ProtectSystem=strict
        ProtectHome=read-only
        PrivateTmp=yes
        PrivateDevices=yes
        ProtectKernelModules=yes
        ProtectKernelLogs=yes
        ProtectControlGroups=yes
        ProtectClock=yes
        ProtectHostname=yes
        RestrictAddressFamilies=AF_UNIX AF_NETLINK AF_INET AF_INET6 AF_PACKET
        RestrictNamespaces=yes
        # RestrictRealtime is off: the event loop takes SCHED_RR 1 (LimitRTPRIO above bounds it).
        RestrictSUIDSGID=yes
        LockPersonality=yes
        SystemCallArchitectures=native

        [Install]
        WantedBy=multi-user.target

        """;
}
