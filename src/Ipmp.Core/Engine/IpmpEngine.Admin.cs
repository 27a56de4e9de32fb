using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    /// <summary>
    /// if_mpadm -d: take an interface out of service. Refused (minimum redundancy) unless at least
    /// <paramref name="minRedundancy"/> other members stay usable — always refused in the anonymous group.
    /// </summary>
    public AdminResult Offline(string ifName, int minRedundancy = 1)
    {
        AdminResult result = AdminResult.Success;
        Run(() => result = OfflineCore(ifName, minRedundancy));
        return result;
    }

    /// <summary>if_mpadm -r: bring an offline interface back; it takes its addresses back as on a repair
    /// (and becomes active even with FAILBACK=no, as in illumos).</summary>
    public AdminResult Online(string ifName)
    {
        AdminResult result = AdminResult.Success;
        Run(() => result = OnlineCore(ifName));
        return result;
    }

    private AdminResult OfflineCore(string ifName, int minRedundancy)
    {
        if (!_interfaces.TryGetValue(ifName, out var ifp) || !ifp.Present)
            return new AdminResult(IpmpError.UnknownInterface, "not a physical interface or not in an IPMP group");
        if (ifp.Offline)
            return new AdminResult(IpmpError.InvalidArgument, $"interface {ifName} is already offline");
        var group = ifp.Group;
        var others = group.IsAnonymous ? 0
            : group.State == GroupState.Failed
                ? group.Members.Count(m => m != ifp && m.Present && !m.Offline)
                : group.Members.Count(m => m != ifp && m.Usable && !m.Offline);
        if (others < minRedundancy)
            return new AdminResult(IpmpError.MinRedundancy, "no other functioning interfaces are in its IPMP group");

        TakeOffline(ifp);
        ReleaseTwin(ifp, ifp.Link?.Mac);
        return AdminResult.Success;
    }

    private AdminResult OnlineCore(string ifName)
    {
        if (!_interfaces.TryGetValue(ifName, out var ifp) || !ifp.Present)
            return new AdminResult(IpmpError.UnknownInterface, "not a physical interface or not in an IPMP group");
        return UndoOffline(ifp);
    }
}
