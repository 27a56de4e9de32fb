using System.Net;

namespace Ipmp.Cli.Stat;

/// <summary>
/// Turns an address into a host name for ipmpstat without <c>-n</c> (getnameinfo with NI_NOFQDN).
/// Returning null means "no name": the address is then printed numerically, as getnameinfo does without
/// NI_NAMEREQD.
/// </summary>
internal interface IHostNameResolver
{
    string? TryGetHostName(IPAddress address);
}
