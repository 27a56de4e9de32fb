using System.Collections.Concurrent;
using System.Net.NetworkInformation;
using Ipmp.Linux.Netlink;

namespace Ipmp.Host.Kernel;

/// <summary>Interface names, indexes and MACs as the kernel last reported them. The event loop writes it
/// (kernel events and dumps, in the kernel's order); the route worker reads it.</summary>
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

    /// <summary>A full dump: links not in it are gone. Never empties the view on the way (a reader in
    /// between would find no index for a link that exists).</summary>
    public void Replace(IEnumerable<LinkInfo> links)
    {
        var list = links.ToList();
        foreach (var l in list) Update(l);
        var present = list.Select(l => l.Index).ToHashSet();
        foreach (var gone in _byIndex.Values.Where(l => !present.Contains(l.Index)).ToList()) Remove(gone);
    }

    public string? NameOf(int index) => _byIndex.TryGetValue(index, out var l) ? l.Name : null;
    public int? IndexOf(string name) => _byName.TryGetValue(name, out var l) ? l.Index : null;
    public PhysicalAddress? MacOf(string name) => _byName.TryGetValue(name, out var l) ? l.HardwareAddress : null;
}
