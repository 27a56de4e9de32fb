using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Figures;

internal static class LabWait
{
    public static bool Holder(NamespaceLab lab, string address, string nic, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (lab.Holder(address) == nic) return true;
            Thread.Sleep(20);
        }
        return false;
    }

    public static int ProcessIndex(NamespaceLab lab, string nic) => IndexIn(lab.HostNs, nic);

    public static int IndexIn(string ns, string dev) =>
        int.Parse(Shell.Ip("-n", ns, "-o", "link", "show", dev).Split(':')[0]);

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    public static int CountLines(string log, string text) =>
        log.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));
}
