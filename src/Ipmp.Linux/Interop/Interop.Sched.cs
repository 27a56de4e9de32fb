using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SCHED_RR = 2;

        [StructLayout(LayoutKind.Sequential)]
        internal struct sched_param
        {
            public int sched_priority;
        }

        /// <summary>sched_setscheduler(2); pid 0 is the calling thread (Linux schedules threads).</summary>
        [LibraryImport(Libraries.Libc, EntryPoint = "sched_setscheduler", SetLastError = true)]
        internal static unsafe partial int SchedSetScheduler(int pid, int policy, sched_param* param);
    }
}
