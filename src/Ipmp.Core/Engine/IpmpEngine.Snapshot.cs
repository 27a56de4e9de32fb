using System.Collections.Immutable;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    /// <summary>The state as ipmpstat shows it, in illumos display order: groups and members newest first,
    /// the anonymous group last; interfaces that do not exist are not shown (they are not plumbed).</summary>
    public IpmpSnapshot Snapshot()
    {
        var groups = ImmutableArray.CreateBuilder<GroupStatus>();
        var interfaces = ImmutableArray.CreateBuilder<InterfaceStatus>();
        var addresses = ImmutableArray.CreateBuilder<AddressStatus>();

        var ordered = Enumerable.Reverse(_groups).ToList();
        if (_anonymous.Members.Count > 0) ordered.Add(_anonymous);
        foreach (var g in ordered)
        {
            var members = g.Members.Where(m => m.Present).ToList();
            var probing = members.Any(m => m.CanProbe);
            groups.Add(new GroupStatus(g.Name, g.Name, g.State, probing ? g.Fdt : null,
                [.. members.Select(m => m.Name)], g.Signature));
            foreach (var m in members) interfaces.Add(InterfaceStatusOf(m));
            if (g.IsAnonymous) continue;
            foreach (var a in Enumerable.Reverse(g.Addresses))
            {
                var inbound = a.BoundTo is { } b && KernelAddresses(b).Contains(a.Prefix) && _interfaces.GetValueOrDefault(b)?.Present == true
                    ? b : "";
                addresses.Add(new AddressStatus(a.Prefix.Address, a.Prefix.PrefixLength,
                    inbound.Length > 0 ? AddressState.Up : AddressState.Down, g.Name, inbound));
            }
        }
        return new IpmpSnapshot(groups.ToImmutable(), interfaces.ToImmutable(), addresses.ToImmutable());
    }

    private static InterfaceStatus InterfaceStatusOf(InterfaceRuntime m)
    {
        var flags = InterfaceFlags.None;
        if (m.Inactive) flags |= InterfaceFlags.Inactive;
        if (m.HwAddrDup) flags |= InterfaceFlags.HwAddrDup;
        if (m.Active) flags |= InterfaceFlags.Active;
        if (m.Link is { AdminUp: false }) flags |= InterfaceFlags.Down;
        if (m.Group.V4Nominee == m) flags |= InterfaceFlags.V4Multicast | InterfaceFlags.V4Broadcast;
        if (m.Group.V6Nominee == m) flags |= InterfaceFlags.V6Multicast;

        var state = m.State switch
        {
            PiState.Running => InterfaceState.Ok,
            PiState.Failed => InterfaceState.Failed,
            PiState.Offline => InterfaceState.Offline,
            PiState.NoTargets => m.Failed ? InterfaceState.Failed : InterfaceState.Unknown,
            _ => InterfaceState.Unknown,
        };
        var probe = !m.CanProbe ? ProbeState.Disabled
            : m.State == PiState.Failed ? ProbeState.Failed
            : !m.HasTargets ? ProbeState.Unknown
            : ProbeState.Ok;
        return new InterfaceStatus(m.Name, m.Group.Name, state,
            m.Standby ? InterfaceType.Standby : InterfaceType.Normal,
            m.LinkState, probe, flags,
            m.Transitive.CanProbe ? TransitiveInfoOf(m.Transitive) : TargetInfoOf(m.V4), TargetInfoOf(m.V6));
    }

    /// <summary>A transitive member's row of ipmpstat -t: MODE "transitive" and the probed members (Solaris 11
    /// writes them in angle brackets).</summary>
    private static TargetInfo TransitiveInfoOf(Probing.ProbeInstance pi) =>
        new(null, TargetMode.Transitive, [], [.. pi.FiringOrderOf().Select(t => t.Peer!)]);

    private static TargetInfo TargetInfoOf(Probing.ProbeInstance pi) =>
        pi.TestAddress is { } t ? new TargetInfo(t.Address, pi.Mode, [.. pi.FiringOrder()]) : TargetInfo.Disabled;
}
