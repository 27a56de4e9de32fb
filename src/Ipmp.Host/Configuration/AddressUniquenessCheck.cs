using System.Net;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Every configured address must be unique: two data addresses that are equal would fight over the same
/// IP, and illumos refuses to probe from a test address that is not unique in its group. Link-local IPv6
/// addresses are exempt because each link has its own fe80::/10 space.
/// </summary>
internal static class AddressUniquenessCheck
{
    public static void Check(IEnumerable<AddressUse> uses, DiagnosticBag diagnostics)
    {
        var seen = new Dictionary<IPAddress, AddressUse>();
        foreach (var use in uses)
        {
            if (use.Address.IsIPv6LinkLocal) continue;
            if (!seen.TryGetValue(use.Address, out var first))
            {
                seen.Add(use.Address, use);
                continue;
            }
            var where = $"{first.File}:{first.Line}";
            var message = use.IsTest && first.IsTest && !string.IsNullOrEmpty(use.Group) && use.Group == first.Group
                ? $"test address {use.Address} is not unique in group {use.Group}: also configured at {where}"
                : $"address {use.Address} is configured twice: also at {where}";
            diagnostics.Error(use.File, use.Line, message);
        }
    }
}
