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

        ifp.Offline = true;
        ifp.Inactive = false;
        ifp.State = PiState.Offline;
        StopProbing(ifp);
        foreach (var pi in ifp.Instances) pi.History.Clear();
        group.Touch();
        Changed("interface-offline", group, ifp, "");
        RefreshGroupState(group);
        return AdminResult.Success;
    }

    private AdminResult OnlineCore(string ifName)
    {
        if (!_interfaces.TryGetValue(ifName, out var ifp) || !ifp.Present)
            return new AdminResult(IpmpError.UnknownInterface, "not a physical interface or not in an IPMP group");
        if (!ifp.Offline || ifp.State != PiState.Offline)
            return new AdminResult(IpmpError.InvalidArgument, $"interface {ifName} is not offline");
        ifp.Offline = false;
        Changed("interface-online", ifp.Group, ifp, "");
        ifp.TestAddressCheckAt = ifp.CanProbe ? null : Now + _options.TestAddressGrace;
        if (ifp.Failed)
        {
            ifp.State = PiState.Failed;
            StartProbing(ifp);
            // A NIC without probing has only its link to go by: nothing else would ever re-check it (illumos
            // does at its 20 s rescans), so check now. A probing NIC repairs by its probes as usual.
            CheckRepair(ifp);
            RefreshGroupState(ifp.Group);
            return AdminResult.Success;
        }
        TransitionToRunning(ifp, RunningReason.Online);
        if (!ifp.LinkUp) LinkWentDown(ifp);
        else StartProbing(ifp);
        return AdminResult.Success;
    }
}
