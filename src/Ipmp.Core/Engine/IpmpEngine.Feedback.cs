using Ipmp.Core.Commands;
using Ipmp.Core.Events;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    /// <summary>How long after a failed command the placement is tried again (a refused add is retried,
    /// or the address goes elsewhere if the plan changed meanwhile). Not at once: a kernel that refuses
    /// keeps refusing for a while, and a retry per event would be a hot loop.</summary>
    public static readonly TimeSpan CommandRetryDelay = TimeSpan.FromSeconds(1);

    private TimeSpan? _retryAt;
    private readonly HashSet<GroupRuntime> _retryGroups = [];

    private void OnCommandFailed(CommandFailed f)
    {
        Counters.CommandFailures++;
        GroupRuntime? group;
        switch (f.Command)
        {
            case AddAddress a:
                // It is not there: the next placement adds it again (here or on another member).
                KernelAddresses(a.Interface).Remove(a.Address);
                group = GroupOf(a.Interface);
                break;
            case RemoveAddress r:
                // It is still there (or its move's add failed and the remove was not even tried).
                KernelAddresses(r.Interface).Add(r.Address);
                group = GroupOf(r.Interface);
                break;
            default:
                return;
        }
        if (group is null) return;
        Changed("command-failed", group, _interfaces.GetValueOrDefault(InterfaceOf(f.Command)!), $"{f.Command}: {f.Error}");
        _retryGroups.Add(group);
        _retryAt ??= Now + CommandRetryDelay;
    }

    private static string? InterfaceOf(NetworkCommand c) => c switch
    {
        AddAddress a => a.Interface,
        RemoveAddress r => r.Interface,
        _ => null,
    };

    /// <summary>The group whose data address this is about: the interface's, or (an interface we do not
    /// track) none.</summary>
    private GroupRuntime? GroupOf(string ifName) => _interfaces.TryGetValue(ifName, out var ifp) ? ifp.Group : null;

    private void RetryDue()
    {
        if (_retryAt is not { } at || at > Now) return;
        _retryAt = null;
        foreach (var g in _retryGroups) g.Dirty = true;
        _retryGroups.Clear();
    }
}
