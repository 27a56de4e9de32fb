using Ipmp.Core.Model;

namespace Ipmp.Core.Engine;

/// <summary>A data address of a group: where it belongs (its home member, or none for the group's own
/// addresses) and where it is bound now (its INBOUND interface).</summary>
public sealed class DataAddress(IpPrefix prefix, string? home)
{
    public IpPrefix Prefix { get; } = prefix;
    public string? Home { get; set; } = home;
    public string? BoundTo { get; set; }
    /// <summary>Whether the address was last placed on an ACTIVE member (bound, in Clearview terms). While no
    /// member is active it stays where it is but is unbound; binding it again announces it.</summary>
    public bool Bound { get; set; }
    public override string ToString() => $"{Prefix} home={Home ?? "-"} on={BoundTo ?? "-"}";
}
