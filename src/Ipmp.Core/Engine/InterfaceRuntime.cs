using System.Net.Sockets;
using Ipmp.Core.Configuration;
using Ipmp.Core.Events;
using Ipmp.Core.Model;
using Ipmp.Core.Probing;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

/// <summary>
/// One tracked interface (illumos phyint): what the kernel shows of it, what the operator configured, and
/// the daemon's own flags. The daemon's flags are authoritative (illumos bug 6790310: never trust a flag
/// that someone else may have rewritten).
/// </summary>
public sealed class InterfaceRuntime
{
    public InterfaceRuntime(string name, GroupRuntime group, InterfaceConfig? config, TimeSpan now)
    {
        Name = name;
        Group = group;
        Config = config;
        CreatedAt = now;
    }

    public string Name { get; }
    public GroupRuntime Group { get; set; }
    public InterfaceConfig? Config { get; set; }
    public TimeSpan CreatedAt { get; set; }

    /// <summary>The kernel's view; null while the interface does not exist (missing at boot, unplugged).</summary>
    public LinkInfo? Link
    {
        get => _link;
        set
        {
            if (_link?.Index != value?.Index) Remembered();
            _link = value;
        }
    }
    public bool Present => Link is not null;

    /// <summary>The addresses the daemon believes are on the interface (kernel events and its own commands).</summary>
    public HashSet<IpPrefix> Addresses { get; set; } = [];

    public PiState State { get; set; } = PiState.Init;

    public bool Failed
    {
        get => _failed;
        set
        {
            if (_failed == value) return;
            // Why, from the link at the moment of failure: down is a link failure, up means the probes said so.
            if (value) FailedBy = LinkUp ? FailureCause.Probe : FailureCause.Link;
            _failed = value;
            Remembered();
        }
    }

    /// <summary>Why it failed (meaningful while <see cref="Failed"/>).</summary>
    public FailureCause FailedBy
    {
        get => _failedBy;
        set
        {
            if (_failedBy == value) return;
            _failedBy = value;
            Remembered();
        }
    }

    public bool Inactive
    {
        get => _inactive;
        set
        {
            if (_inactive == value) return;
            _inactive = value;
            Remembered();
        }
    }

    public bool Offline
    {
        get => _offline;
        set
        {
            if (_offline == value) return;
            _offline = value;
            Remembered();
        }
    }

    private LinkInfo? _link;
    private bool _failed, _inactive, _offline;
    private FailureCause _failedBy;

    /// <summary>Counts changes of what <see cref="IpmpEngine.Remember"/> reads (set by the engine).</summary>
    internal ChangeCounter? MemoryChanges { get; init; }

    private void Remembered()
    {
        if (MemoryChanges is { } c) c.Value++;
    }
    public bool HwAddrDup { get; set; }

    public bool Standby => Config?.Standby ?? false;

    public ProbeInstance V4 { get; } = new(AddressFamily.InterNetwork);
    public ProbeInstance V6 { get; } = new(AddressFamily.InterNetworkV6);
    /// <summary>Link-layer probes to other members (TRANSITIVE_PROBING), on while neither ICMP family probes.</summary>
    public ProbeInstance Transitive { get; } = new(AddressFamily.Unspecified);
    private ProbeInstance[]? _instances;
    public ProbeInstance[] Instances => _instances ??= [V4, V6, Transitive];
    /// <summary>What the network was last told by <see cref="Commands.ListenTransitive"/>.</summary>
    public bool AnswersTransitive { get; set; }
    /// <summary>Probes with ICMP, from a test address or (transitive probing) from a data address it holds.</summary>
    public bool ProbesIcmp => V4.CanProbe || V6.CanProbe;
    public bool CanProbe => V4.CanProbe || V6.CanProbe || Transitive.CanProbe;
    public bool HasTargets => V4.HasTargets || V6.HasTargets || Transitive.HasTargets;

    /// <summary>The two most recent link-up times, for flap damping.</summary>
    public TimeSpan?[] LinkUps { get; } = new TimeSpan?[2];
    public TimeSpan? FlapRecheckAt { get; set; }
    public bool FlapLogged { get; set; }

    /// <summary>When to complain that no test address exists (20 s after creation or undo-offline).</summary>
    public TimeSpan? TestAddressCheckAt { get; set; }
    public bool NoTestAddressLogged { get; set; }

    public ushort Identifier { get; set; }

    public LinkState LinkState => Link?.Link ?? LinkState.Down;
    public bool LinkUp => Link is { Link: not LinkState.Down };

    /// <summary>illumos "functioning": running, or assumed working for lack of targets.</summary>
    public bool Functioning => State == PiState.Running || (State == PiState.NoTargets && !Failed);

    /// <summary>Functioning and administratively up (illumos also asks for an UP address).</summary>
    public bool Usable => Present && Link!.AdminUp && Functioning;

    /// <summary>The ACTIVE flag: used for data traffic.</summary>
    public bool Active => Usable && !Inactive && !Offline && !HwAddrDup;

    public override string ToString() => $"{Name} [{State}{(Failed ? ",FAILED" : "")}{(Inactive ? ",INACTIVE" : "")}{(Offline ? ",OFFLINE" : "")}]";
}

/// <summary>A counter shared by the engine and its interfaces: bumped on every change of remembered flags.</summary>
internal sealed class ChangeCounter
{
    public long Value;
}
