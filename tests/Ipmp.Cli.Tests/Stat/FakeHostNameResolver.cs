using System.Net;
using Ipmp.Cli.Stat;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>Names from a table; records every query so tests can check -n never resolves.</summary>
internal sealed class FakeHostNameResolver(IReadOnlyDictionary<string, string>? names = null) : IHostNameResolver
{
    public List<IPAddress> Queries { get; } = [];

    public string? TryGetHostName(IPAddress address)
    {
        Queries.Add(address);
        return names is not null && names.TryGetValue(address.ToString(), out string? name) ? name : null;
    }
}
