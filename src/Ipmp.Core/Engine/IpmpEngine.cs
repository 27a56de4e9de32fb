using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Configuration;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;

namespace Ipmp.Core.Engine;

/// <summary>
/// The IPMP engine: failure and repair detection, activation and failover planning for all groups. It does
/// no I/O: it consumes <see cref="NetworkEvent"/>s, asks its <see cref="INetworkPort"/> to act, and reads
/// time from a <see cref="TimeProvider"/>. It is single-threaded: the owner serialises every call
/// (one event loop, like in.mpathd's), and calls <see cref="OnTimer"/> when <see cref="NextWakeup"/> is due.
/// </summary>
public sealed partial class IpmpEngine
{
    private readonly INetworkPort _port;
    private readonly IEngineObserver _observer;
    private readonly Random _random;
    private readonly EngineOptions _options;
    private readonly EngineClock _clock;

    /// <summary>Named groups, oldest first; the anonymous group is separate.</summary>
    private readonly List<GroupRuntime> _groups = [];
    private readonly GroupRuntime _anonymous;
    private readonly Dictionary<string, InterfaceRuntime> _interfaces = new(StringComparer.Ordinal);

    /// <summary>The kernel as last seen (all links, tracked or not), and addresses per link.</summary>
    private readonly Dictionary<string, LinkInfo> _links = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IpPrefix>> _kernelAddresses = new(StringComparer.Ordinal);
    private readonly Dictionary<AddressFamily, List<RouteInfo>> _routes = new()
    {
        [AddressFamily.InterNetwork] = [],
        [AddressFamily.InterNetworkV6] = [],
    };

    /// <summary>False until the first full <see cref="NetworkSnapshot"/>: no address is touched before the
    /// daemon has seen what is already there (adoption after a restart).</summary>
    private bool _synchronised;
    private readonly Dictionary<string, int> _configOrder = new(StringComparer.Ordinal);
    private readonly List<InterfaceRuntime> _timerScratch = [];
    private bool _busy;

    public IpmpEngine(IpmpConfig config, INetworkPort port, TimeProvider time, Random? random = null,
        IEngineObserver? observer = null, EngineOptions? options = null)
    {
        _port = port;
        _observer = observer ?? NullObserver.Instance;
        _random = random ?? new Random();
        _options = options ?? new EngineOptions();
        _clock = new EngineClock(time);
        Config = config;
        _anonymous = new GroupRuntime("", config.Settings.FailureDetectionTime);
        Run(() => ApplyConfigCore(config));
    }

    public IpmpConfig Config { get; private set; }
    public DaemonSettings Settings => Config.Settings;
    public TimeSpan Now => _clock.Now;
    public EngineCounters Counters { get; } = new();

    public IReadOnlyList<GroupRuntime> Groups => _groups;
    public GroupRuntime AnonymousGroup => _anonymous;
    public InterfaceRuntime? FindInterface(string name) => _interfaces.GetValueOrDefault(name);
    public IEnumerable<InterfaceRuntime> Interfaces => _interfaces.Values;

    /// <summary>Handles one event from the network.</summary>
    public void Handle(NetworkEvent e) => Run(() =>
    {
        switch (e)
        {
            case NetworkSnapshot s: OnSnapshot(s); break;
            case LinkObserved l: OnLinkObserved(l.Link); break;
            case LinkRemoved r: OnLinkRemoved(r.Name); break;
            case AddressObserved a: OnAddressObserved(a.Address); break;
            case AddressRemoved a: OnAddressRemoved(a.Interface, a.Address); break;
            case RoutesObserved r: OnRoutes(r); break;
            case ProbeReplyReceived p: OnProbeReply(p); break;
            default: throw new ArgumentException($"unknown event {e.GetType().Name}", nameof(e));
        }
    });

    /// <summary>Replaces the configuration in place, keeping learned state of unchanged interfaces.</summary>
    public void ApplyConfig(IpmpConfig config) => Run(() => ApplyConfigCore(config));

    /// <summary>Runs whatever is due: probes to send, probes to declare lost, timers of the link rules.</summary>
    public void OnTimer() => Run(TimerRound);

    /// <summary>When <see cref="OnTimer"/> should next run, on the engine clock; null when nothing is scheduled.</summary>
    public TimeSpan? NextWakeup
    {
        get
        {
            TimeSpan? next = null;
            void Consider(TimeSpan? t)
            {
                if (t is { } v && (next is null || v < next)) next = v;
            }
            foreach (var ifp in _interfaces.Values)
            {
                Consider(ifp.FlapRecheckAt);
                Consider(ifp.TestAddressCheckAt);
                foreach (var pi in ifp.Instances)
                {
                    if (!pi.CanProbe) continue;
                    Consider(pi.NextSendAt);
                    // Wake one tick after the deadline: a probe is lost once start + CRTT < now.
                    if (pi.LossDeadline(ifp.Group.ProbeInterval) is { } d) Consider(d + TimeSpan.FromTicks(1));
                }
            }
            return next;
        }
    }

    /// <summary>Every public entry runs through here: one at a time, then the placement is reconciled.</summary>
    private void Run(Action action)
    {
        if (_busy) throw new InvalidOperationException("IpmpEngine is not re-entrant: deliver network events through the event loop");
        _busy = true;
        try
        {
            action();
            Reconcile();
        }
        finally
        {
            _busy = false;
        }
    }

    private void Emit(NetworkCommand command)
    {
        Counters.Commands++;
        _port.Execute(command);
    }

    private void Log(LogMessage message) => _observer.Log(message);

    private void Changed(string kind, GroupRuntime group, InterfaceRuntime? ifp, string detail) =>
        _observer.Changed(new StateChange(Now, kind, group.Name, ifp?.Name, detail));

    private IEnumerable<GroupRuntime> AllGroups => _groups.Append(_anonymous);
}
