using System.Text.RegularExpressions;

namespace Ipmp.Lab;

public static partial class Multipath
{
    /// <summary>The daemon's metric for the multipath route to each on-link network (Ipmp.Host's
    /// LoadSpreader.SpreadMetric; the per-member fallback routes have higher metrics).</summary>
    public const int SpreadMetric = 1;

    /// <summary>The NICs the kernel sends outbound traffic for the group's subnet through: the next hops of
    /// the daemon's multipath route, IPv4 or IPv6, directly or through a nexthop group (IPv6).</summary>
    public static List<string> OutboundNics(this NamespaceLab lab, string network = "192.168.10.0/24") =>
        RouteNics(lab, network.Contains(':') ? "-6" : "-4", network, "metric", SpreadMetric.ToString());

    /// <summary>The NICs of the next hops of the main-table route(s) to <paramref name="destination"/> ("default"
    /// or a prefix) matching the selectors (e.g. "metric", "1"); <paramref name="family"/> is "-4" or "-6".
    /// A route through a nexthop object is resolved with `ip nexthop`.</summary>
    public static List<string> RouteNics(this NamespaceLab lab, string family, string destination, params string[] selectors)
    {
        var text = Shell.Ip(["-n", lab.HostNs, family, "route", "show", destination, .. selectors]);
        var nics = Devices(text);
        // nexthop_compat_mode=0 shows only the id.
        foreach (Match m in NhId().Matches(text))
            nics.AddRange(NextHopNics(lab, m.Groups[1].Value));
        return nics.Distinct().Order().ToList();
    }

    private static List<string> NextHopNics(NamespaceLab lab, string id)
    {
        var text = Shell.Ip("-n", lab.HostNs, "nexthop", "show", "id", id);
        var group = Group().Match(text);
        if (!group.Success) return Devices(text);
        return group.Groups[1].Value.Split('/').SelectMany(member => NextHopNics(lab, member.Split(',')[0])).ToList();
    }

    private static List<string> Devices(string text)
    {
        var words = text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return words.Select((w, i) => (w, i)).Where(x => x.w == "dev" && x.i + 1 < words.Length).Select(x => words[x.i + 1]).ToList();
    }

    [GeneratedRegex(@"\bnhid (\d+)")]
    private static partial Regex NhId();

    [GeneratedRegex(@"\bgroup ([\d/,]+)")]
    private static partial Regex Group();
}
