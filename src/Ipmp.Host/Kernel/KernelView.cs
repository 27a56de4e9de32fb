using System.Collections.Concurrent;
using System.Net.NetworkInformation;
using Ipmp.Linux.Netlink;

namespace Ipmp.Host.Kernel;

/// <summary>Interface names, indexes and MACs as the kernel last reported them; shared by the event
/// source (which writes) and the command executor (which needs indexes and MACs).</summary>
public sealed class KernelView
{
    private readonly ConcurrentDictionary<int, LinkInfo> _byIndex = new();
    private readonly ConcurrentDictionary<string, LinkInfo> _byName = new(StringComparer.Ordinal);

    public void Update(LinkInfo link)
    {
        if (_byIndex.TryGetValue(link.Index, out var old) && old.Name != link.Name) _byName.TryRemove(old.Name, out _);
        _byIndex[link.Index] = link;
        _byName[link.Name] = link;
    }

    public void Remove(LinkInfo link)
    {
        _byIndex.TryRemove(link.Index, out _);
        if (_byName.TryGetValue(link.Name, out var current) && current.Index == link.Index) _byName.TryRemove(link.Name, out _);
    }

    public void Replace(IEnumerable<LinkInfo> links)
    {
        _byIndex.Clear();
        _byName.Clear();
        foreach (var l in links) Update(l);
    }

    public string? NameOf(int index) => _byIndex.TryGetValue(index, out var l) ? l.Name : null;
    public int? IndexOf(string name) => _byName.TryGetValue(name, out var l) ? l.Index : null;
    public PhysicalAddress? MacOf(string name) => _byName.TryGetValue(name, out var l) ? l.HardwareAddress : null;
}
