using System.Net;
using Ipmp.Core.Model;

namespace Ipmp.Host.Kernel;

/// <summary>What the route keeper needs to know of a group: its on-link networks, the data addresses to
/// prefer as IPv4 source (in order), and all its member NICs.</summary>
public sealed record GroupRouting(IReadOnlyList<IpPrefix> Networks, IReadOnlyList<IPAddress> PreferredSources, IReadOnlyList<string> Members)
{
    public static GroupRouting None { get; } = new([], [], []);
}
