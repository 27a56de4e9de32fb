using Ipmp.Linux;

namespace Ipmp.Bench.Lab;

/// <summary>
/// The bench's own measuring threads (netlink and ARP stamps, the UDP echo client) run SCHED_RR 2, one above
/// the daemon's event loop: a stamp taken late because the machine is busy would be charged to the daemon.
/// Without the right (not root) they stay as they are and the figures carry that noise.
/// </summary>
public static class MeasuringThread
{
    public const int Priority = 2;

    public static void Enter() => ThreadScheduling.TrySetRealtime(Priority, out _);
}
