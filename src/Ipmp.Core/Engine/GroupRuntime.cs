using Ipmp.Core.Configuration;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

/// <summary>One group (illumos phyint_group): members, state, the current FDT and the data addresses.</summary>
public sealed class GroupRuntime(string name, TimeSpan configuredFdt)
{
    /// <summary>Probes per FDT: NUM_PROBE_FAILS + 2.</summary>
    public const int ProbesPerFdt = 7;

    public string Name { get; } = name;
    public bool IsAnonymous => Name.Length == 0;
    public GroupConfig? Config { get; set; }

    /// <summary>Members, newest first (illumos inserts at the head).</summary>
    public List<InterfaceRuntime> Members { get; } = [];
    public List<DataAddress> Addresses { get; } = [];

    /// <summary>A new named group starts failed until a member is seen working.</summary>
    public GroupState State { get; set; } = name.Length == 0 ? GroupState.Ok : GroupState.Failed;

    public TimeSpan ConfiguredFdt { get; private set; } = configuredFdt;
    public TimeSpan Fdt { get; private set; } = configuredFdt;
    public TimeSpan ConfiguredInterval => ConfiguredFdt / ProbesPerFdt;
    public TimeSpan ProbeInterval { get; private set; } = configuredFdt / ProbesPerFdt;
    public TimeSpan? LastFdtRaise { get; set; }

    /// <summary>Transitive probing: the member that probed with ICMP was failed without another member's ICMP
    /// answers to prove the network works (its transitive peers could not reach it either); cleared by the next
    /// ICMP answer in the group. A second such failure before that is a group failure.</summary>
    public bool UnconfirmedHandover { get; set; }

    /// <summary>Whether the group has ever had a usable member (a new group starts failed silently).</summary>
    public bool EverUsable { get; set; }

    /// <summary>The active members last told to the network (load spreading).</summary>
    public IReadOnlyList<string> LastOutbound { get; set; } = [];

    public ulong Signature { get; private set; } = 1UL << 48;

    /// <summary>Something that placement depends on changed (members, states, flags, addresses).</summary>
    public void Touch()
    {
        Signature++;
        Dirty = true;
    }

    /// <summary>Needs reconciling; set by <see cref="Touch"/> and by kernel events about its members.</summary>
    public bool Dirty { get; set; } = true;

    public InterfaceRuntime? V4Nominee { get; set; }
    public InterfaceRuntime? V6Nominee { get; set; }

    public void Reconfigure(TimeSpan configuredFdt)
    {
        if (configuredFdt == ConfiguredFdt) return;
        var wasRaised = FdtRaised;
        ConfiguredFdt = configuredFdt;
        // A raised FDT stays raised unless the new configured one is even longer.
        if (!wasRaised || Fdt < configuredFdt) SetFdt(configuredFdt);
    }

    public void SetFdt(TimeSpan fdt)
    {
        Fdt = fdt;
        ProbeInterval = fdt == ConfiguredFdt ? ConfiguredInterval : fdt / ProbesPerFdt;
    }

    public void SetInterval(TimeSpan interval)
    {
        ProbeInterval = interval;
        Fdt = interval * ProbesPerFdt;
    }

    public bool FdtRaised => ProbeInterval > ConfiguredInterval;

    public IEnumerable<InterfaceRuntime> ActiveMembers => Members.Where(m => m.Active);
}
