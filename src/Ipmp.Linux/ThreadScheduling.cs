using System.Runtime.InteropServices;

namespace Ipmp.Linux;

/// <summary>Real-time scheduling for one thread (keepalived's vrrp_rt_priority, for the same reason: a
/// failover must not wait for a busy CPU). SCHED_RR at a low priority preempts every ordinary process, and
/// the kernel's RT throttling (sched_rt_runtime_us) still keeps a runaway thread from taking a whole CPU.</summary>
public static class ThreadScheduling
{
    /// <summary>Puts the calling thread in SCHED_RR at <paramref name="priority"/> (1-99). Needs CAP_SYS_NICE
    /// or an RLIMIT_RTPRIO of at least <paramref name="priority"/> (systemd: LimitRTPRIO=).</summary>
    public static unsafe bool TrySetRealtime(int priority, out string? error)
    {
        var p = new Interop.Libc.sched_param { sched_priority = priority };
        if (Interop.Libc.SchedSetScheduler(0, Interop.Libc.SCHED_RR, &p) == 0)
        {
            error = null;
            return true;
        }
        error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        return false;
    }
}
