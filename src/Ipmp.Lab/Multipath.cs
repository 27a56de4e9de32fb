namespace Ipmp.Lab;

public static class Multipath
{
    /// <summary>The NICs the kernel sends outbound traffic for the group's subnet through: the next hops of
    /// the metric-0 route (the per-member fallback routes have higher metrics).</summary>
    public static List<string> OutboundNics(this NamespaceLab lab, string network = "192.168.10.0/24")
    {
        var text = Shell.Ip("-n", lab.HostNs, "route", "show", network, "metric", "0");
        return text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select((w, i) => (w, i)).Where(x => x.w == "dev")
            .Select(x => text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)[x.i + 1])
            .Order().ToList();
    }
}
