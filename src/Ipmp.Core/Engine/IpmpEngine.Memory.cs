using Ipmp.Core.Events;
using Ipmp.Core.Logging;

namespace Ipmp.Core.Engine;

/// <summary>
/// Memory across a restart of the daemon. illumos keeps FAILED, OFFLINE and INACTIVE in kernel interface
/// flags, so OFFLINE (and INACTIVE) survive an in.mpathd restart there; Linux has no such flags, so the host
/// keeps <see cref="Remember"/>'s value (a state file) and gives it to the next engine by
/// <see cref="Restore"/>. Unlike illumos, FAILED survives too: a member failed before the restart stays
/// failed — not active, no data address on it, quiet period or not — until the usual rules repair it (10
/// answered probes; carrier up for a member that does not probe). An offlined member stays offline until
/// <c>ipmp online</c>; an INACTIVE one stays out of use, so a restart moves no address.
/// </summary>
public sealed partial class IpmpEngine
{
    private readonly ChangeCounter _memoryChanges = new();

    /// <summary>Remembered interfaces not yet seen; null when there is nothing (left) to recall.</summary>
    private Dictionary<string, RememberedInterface>? _recall;

    /// <summary>What was applied, for one log line after the first snapshot.</summary>
    private List<RememberedInterface>? _recalled;

    /// <summary>Restored failed members to re-check once the first snapshot is complete (link-only repair).</summary>
    private List<InterfaceRuntime>? _restoredFailed;

    /// <summary>Changes whenever what <see cref="Remember"/> returns may have changed: a cheap test for the
    /// owner after every call, so that the value is built only when needed.</summary>
    public long MemoryVersion => _memoryChanges.Value;

    /// <summary>True once the engine has seen the kernel (the first <see cref="NetworkSnapshot"/>): before,
    /// <see cref="Remember"/> knows nothing and must not overwrite an older memory.</summary>
    public bool Synchronised => _synchronised;

    /// <summary>What must survive a restart: every present member of a named group with its interface index,
    /// whether it is failed (and why), offline or inactive. Ordered by name.</summary>
    public RememberedState Remember()
    {
        var list = new List<RememberedInterface>();
        foreach (var g in _groups)
            foreach (var m in g.Members)
                if (m.Link is { } link)
                    // Offline for a duplicate MAC is not the operator's offline: the restarted daemon finds the
                    // duplicate again itself, and must not keep the NIC out once its MAC is unique.
                    list.Add(new RememberedInterface(m.Name, g.Name, link.Index, m.Failed ? m.FailedBy : null, m.Offline && !m.HwAddrDup, m.Inactive));
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new RememberedState([.. list]);
    }

    /// <summary>
    /// Seeds what a previous run remembered. Call it once, after construction and before the first network
    /// event. Each entry applies when its interface is seen in the first snapshot, in the same named group
    /// and with the same interface index; anything else (no longer configured, moved to another group,
    /// re-plumbed, absent) is ignored and logged.
    /// </summary>
    public void Restore(RememberedState state)
    {
        if (_synchronised || _links.Count > 0)
            throw new InvalidOperationException("Restore must come before the first network event");
        Run(() => RestoreCore(state));
    }

    private void RestoreCore(RememberedState state)
    {
        var recall = new Dictionary<string, RememberedInterface>(StringComparer.Ordinal);
        foreach (var m in state.Interfaces)
        {
            var cfg = Config.FindInterface(m.Name);
            var reason = recall.ContainsKey(m.Name) ? "listed twice"
                : cfg is null ? "no longer in the configuration"
                : !cfg.InNamedGroup ? "no longer in a named group"
                : cfg.Group != m.Group ? $"now in group {cfg.Group}, was in {m.Group}"
                : m.IfIndex <= 0 ? "no interface index"
                : null;
            if (reason is null) recall[m.Name] = m;
            else LogMemory($"remembered state of {m.Name} ignored: {reason}");
        }
        _recall = recall.Count > 0 ? recall : null;
    }

    /// <summary>The memory of <paramref name="ifp"/>, taken once, if it applies to this link.</summary>
    private RememberedInterface? Recall(InterfaceRuntime ifp, LinkInfo link)
    {
        if (_recall is null || !_recall.Remove(ifp.Name, out var m)) return null;
        if (m.IfIndex != link.Index)
        {
            LogMemory($"remembered state of {m.Name} ignored: re-plumbed since (interface index {m.IfIndex}, now {link.Index})");
            return null;
        }
        (_recalled ??= []).Add(m);
        return m;
    }

    /// <summary>
    /// Brings a remembered failed or offline member back into that state instead of the initial transition to
    /// running (which would make a dead NIC active for the quiet period). Returns false when the ordinary
    /// start applies (the member was working); <see cref="ResumeActivity"/> then follows it.
    /// </summary>
    private bool ResumeRemembered(InterfaceRuntime ifp, RememberedInterface m)
    {
        if (m.Failed is { } cause)
        {
            ifp.Failed = true;
            ifp.FailedBy = cause;
        }
        if (m.Offline)
        {
            ifp.Offline = true;
            ifp.Inactive = false;
            ifp.State = PiState.Offline;
            ifp.Group.Touch();
            RefreshGroupState(ifp.Group);
            return true;
        }
        if (m.Failed is null) return false;

        ifp.Inactive = false;
        ifp.State = PiState.Failed;
        ifp.Group.Touch();
        // A failed member is not evaluated again on link down; it repairs by the usual rules.
        if (!ifp.LinkUp) LinkWentDown(ifp);
        else StartProbing(ifp);
        UpdateTargetState(ifp);
        RefreshGroupState(ifp.Group);
        (_restoredFailed ??= []).Add(ifp);
        return true;
    }

    /// <summary>After the initial transition of a member that was working: it keeps its INACTIVE flag as it
    /// was, so that nothing moves — a standby either way, a FAILBACK=no member kept out of use (with
    /// FAILBACK=yes a non-standby member is never inactive). The capacity rule still runs after it.</summary>
    private void ResumeActivity(InterfaceRuntime ifp, RememberedInterface m)
    {
        if (ifp.Group.IsAnonymous) return;
        var inactive = ifp.Standby ? m.Inactive : m.Inactive && !Settings.Failback;
        if (ifp.Inactive == inactive) return;
        ifp.Inactive = inactive;
        ifp.Group.Touch();
    }

    /// <summary>After the first snapshot: memory of interfaces that were not there is dropped, and restored
    /// failed members that do not probe are checked against their link (carrier up repairs them) now that
    /// every member is in place (so that FAILBACK=no counts the group's active members right).</summary>
    private void FinishRecall()
    {
        if (_recall is not null)
            foreach (var m in _recall.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
                LogMemory($"remembered state of {m.Name} ignored: not present at start");
        _recall = null;
        if (_recalled is not null) LogMemory($"restored from before the restart: {string.Join(", ", _recalled)}");
        _recalled = null;
        if (_restoredFailed is null) return;
        foreach (var ifp in _restoredFailed)
            if (_interfaces.GetValueOrDefault(ifp.Name) == ifp && ifp.Present && !ProbesConfigured(ifp)) CheckRepair(ifp);
        _restoredFailed = null;
    }

    /// <summary>Configured to probe (a test address, or IPv6 probing), whether or not the kernel has the
    /// test address yet: such a member is repaired by answered probes, never by its carrier alone.</summary>
    private static bool ProbesConfigured(InterfaceRuntime ifp) =>
        ifp.Config is { } c && (c.TestAddressV4 is not null || c.ProbeV6);

    private void LogMemory(string text) => Log(new LogMessage(MessageId.StateRestored, LogLevel.Info, text));
}
