namespace Ipmp.Cli.Install;

/// <summary>
/// The example configuration directory installed as <c>PREFIX/share/ipmp/examples</c>: one group of three
/// NICs (two active with a data and a test address each, one standby), in the Solaris syntax.
/// </summary>
internal static class ExampleConfig
{
    public static IReadOnlyList<(string Name, string Content)> Files { get; } =
    [
        ("mpathd", """
            #
            # mpathd: settings of the IPMP daemon (`ipmp daemon`), with the keys and rules of Solaris
            # /etc/default/mpathd. A key left out takes its default.
            #
            # Time taken by the daemon to detect a NIC failure by probes, in milliseconds
            # (default 10000; at least 100). Link (carrier) failures are detected at once.
            FAILURE_DETECTION_TIME=10000
            #
            # Failback is enabled by default: a repaired NIC takes its data addresses back. With
            # FAILBACK=no it stays INACTIVE (a standby) while the group has enough active members.
            FAILBACK=yes
            #
            # By default only the interfaces of a named IPMP group are tracked. Set it to "no" to also
            # track the other interfaces (each alone in the anonymous group).
            TRACK_INTERFACES_ONLY_WITH_GROUPS=yes

            """),
        ("hostname.eth0", """
            # hostname.eth0: member of group ipmp0 with the data address 192.168.10.50 (it moves to another
            # member when eth0 fails, and comes back on repair) and the test address 192.168.10.10
            # (deprecated -failover: the source of the probes; it never moves).
            # IPv6: a hostname6.eth0 with "-failover group ipmp0 up" probes from the link-local address.
            192.168.10.50/24 group ipmp0 up \
            addif 192.168.10.10/24 deprecated -failover up

            """),
        ("hostname.eth1", """
            # hostname.eth1: the second active member of group ipmp0 (data 192.168.10.51, test 192.168.10.11).
            192.168.10.51/24 group ipmp0 up \
            addif 192.168.10.11/24 deprecated -failover up

            """),
        ("hostname.eth2", """
            # hostname.eth2: a standby of group ipmp0. It carries no data address of its own, is probed
            # from its test address 192.168.10.12, and takes over when an active member fails.
            group ipmp0 standby up \
            addif 192.168.10.12/24 deprecated -failover up

            """),
    ];
}
