using System.Net;
using Ipmp.Core.Status;

namespace Ipmp.Cli.Stat;

/// <summary>
/// What a field value needs beyond its row: snapshot look-ups (as libipmp's ipmp_getgroupinfo and
/// ipmp_getifinfo on the snapshot), address formatting, the warning sink and the -p start time.
/// </summary>
internal sealed class StatContext
{
    private readonly Dictionary<string, GroupStatus> _groupsByIfName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InterfaceStatus> _interfaces = new(StringComparer.Ordinal);
    private readonly IHostNameResolver _resolver;
    private readonly Action<string> _warn;

    /// <param name="snapshot">The snapshot rows come from (empty for -p).</param>
    /// <param name="numeric"><c>-n</c>.</param>
    /// <param name="resolver">Used for names when not numeric.</param>
    /// <param name="warn">Receives each warning message, without prefix or newline.</param>
    /// <param name="probeStart">ipmpstat's start on the daemon's monotonic clock (the -p TIME origin).</param>
    public StatContext(IpmpSnapshot snapshot, bool numeric, IHostNameResolver resolver, Action<string> warn, TimeSpan probeStart = default)
    {
        foreach (GroupStatus g in snapshot.Groups)
            _groupsByIfName.TryAdd(g.IpmpInterfaceName, g);
        foreach (InterfaceStatus i in snapshot.Interfaces)
            _interfaces.TryAdd(i.Name, i);
        Numeric = numeric;
        _resolver = resolver;
        _warn = warn;
        ProbeStart = probeStart;
    }

    public bool Numeric { get; }

    public TimeSpan ProbeStart { get; }

    /// <summary>The group whose IPMP interface is <paramref name="ipmpInterfaceName"/> ("" = anonymous).</summary>
    public GroupStatus? FindGroup(string ipmpInterfaceName) =>
        _groupsByIfName.GetValueOrDefault(ipmpInterfaceName);

    public InterfaceStatus? FindInterface(string name) => _interfaces.GetValueOrDefault(name);

    /// <summary>getnameinfo(NI_NOFQDN [| NI_NUMERICHOST]): a name if one is found, else the numeric form.</summary>
    public string FormatAddress(IPAddress address) =>
        Numeric ? AddressText.Numeric(address) : _resolver.TryGetHostName(address) ?? AddressText.Numeric(address);

    public void Warn(string message) => _warn(message);
}
