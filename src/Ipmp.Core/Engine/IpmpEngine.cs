using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Configuration;
using Ipmp.Core.Events;
using Ipmp.Core.Logging;
using Ipmp.Core.Model;

namespace Ipmp.Core.Engine;

/// <summary>
/// The IPMP engine: failure and repair detection, activation and failover planning for all groups. It does
/// no I/O: it consumes <see cref="NetworkEvent"/>s, reads time from a <see cref="TimeProvider"/>, and
/// answers each call with the <see cref="NetworkCommand"/>s it wants executed, as values: every public
/// entry returns its <see cref="EngineOutput"/> once the state change is complete, so the owner never runs
/// kernel work in the middle of one. It is single-threaded: the owner serialises every call (one event
/// loop, like in.mpathd's), and calls <see cref="OnTimer"/> when <see cref="NextWakeup"/> is due.
/// </summary>
public sealed partial class IpmpEngine
{
    private readonly INetworkPort? _port;
    private readonly List<NetworkCommand> _outbox = [];
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
    private readonly List<Probing.ProbeRecord> _lostScratch = [];
    private readonly List<(string Home, bool V6, string? Target)> _missingMoves = [];
    /// <summary>What was last logged about a missing interface's addresses, per family ("" = couldn't move).</summary>
    private readonly Dictionary<(string Home, bool V6), string> _missingReported = [];
    /// <summary>Links refused as members of their configured named group, with the reason last logged.</summary>
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);
    private bool _busy;

    /// <param name="port">When given, each call's commands are also delivered to it, in order, after the
    /// call's state change (the simulator and tests); the daemon passes null and executes the returned
    /// <see cref="EngineOutput"/> itself.</param>
    /// <param name="random">Probe jitter; injected so that runs are reproducible.</param>
    /// <param name="options">Run id and cookie come from the host (pid and a random number there).</param>
    public IpmpEngine(IpmpConfig config, INetworkPort? port, TimeProvider time, Random random,
        IEngineObserver? observer, EngineOptions options)
    {
        _port = port;
        _observer = observer ?? NullObserver.Instance;
        _random = random;
        _options = options;
        _clock = new EngineClock(time);
        Config = config;
        _anonymous = new GroupRuntime("", config.Settings.FailureDetectionTime);
        InitialOutput = Run(() => ApplyConfigCore(config));
    }

    /// <summary>The commands of the constructor's initial configuration (also delivered to the port, if any).</summary>
    public EngineOutput InitialOutput { get; private set; }

    public IpmpConfig Config { get; private set; }
    public DaemonSettings Settings => Config.Settings;
    public TimeSpan Now => _clock.Now;
    public EngineCounters Counters { get; } = new();

    public IReadOnlyList<GroupRuntime> Groups => _groups;
    public GroupRuntime AnonymousGroup => _anonymous;
    public InterfaceRuntime? FindInterface(string name) => _interfaces.GetValueOrDefault(name);
    public IEnumerable<InterfaceRuntime> Interfaces => _interfaces.Values;

    /// <summary>Handles one event from the network.</summary>
    public EngineOutput Handle(NetworkEvent e) => Run(() =>
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
            case ProbeSent p: OnProbeSent(p); break;
            case TransitiveProbeSent p: OnTransitiveProbeSent(p); break;
            case TransitiveReplyReceived r: OnTransitiveReply(r); break;
            case CommandFailed f: OnCommandFailed(f); break;
            default: throw new ArgumentException($"unknown event {e.GetType().Name}", nameof(e));
        }
    });

    /// <summary>Replaces the configuration in place, keeping learned state of unchanged interfaces.</summary>
    public EngineOutput ApplyConfig(IpmpConfig config) => Run(() => ApplyConfigCore(config));

    /// <summary>Runs whatever is due: probes to send, probes to declare lost, timers of the link rules.</summary>
    public EngineOutput OnTimer() => Run(() =>
    {
        RetryDue();
        TimerRound();
    });

    /// <summary>When <see cref="OnTimer"/> should next run, on the engine clock; null when nothing is scheduled.</summary>
    public TimeSpan? NextWakeup
    {
        get
        {
            TimeSpan? next = _retryAt;
            var now = Now;   // one clock read for the whole walk (it runs after every turn of the loop)
            void Consider(TimeSpan? t)
            {
                if (t is { } v && (next is null || v < next)) next = v;
            }
            foreach (var ifp in _interfaces.Values)
            {
                Consider(ifp.FlapRecheckAt);
                Consider(ifp.TestAddressCheckAt);
                // Only send slots: a probe is judged at its instance's next slot, never at its own deadline.
                foreach (var pi in ifp.Instances)
                    if (pi.CanProbe) Consider(pi.NextSendAt);
                Consider(DecidingProbeOverdueAt(ifp, now));
            }
            return next;
        }
    }

    /// <summary>Every public entry runs through here: one at a time, then the placement is reconciled, and
    /// only then are the commands handed out (to the port, or to the caller).</summary>
    private EngineOutput Run(Action action)
    {
        if (_busy) throw new InvalidOperationException("IpmpEngine is not re-entrant: deliver network events through the event loop");
        _busy = true;
        _outbox.Clear();
        try
        {
            action();
            Reconcile();
        }
        finally
        {
            _busy = false;
        }
        var output = _outbox.Count == 0 ? EngineOutput.None : new EngineOutput([.. _outbox]);
        _outbox.Clear();
        LastOutput = output;
        if (_port is not null)
            foreach (var c in output.Commands) _port.Execute(c);
        return output;
    }

    /// <summary>The commands of the most recent call, whatever it returned (<see cref="Offline"/> and
    /// <see cref="Online"/> return their verdict): the owner executes these after every call.</summary>
    public EngineOutput LastOutput { get; private set; } = EngineOutput.None;

    private void Emit(NetworkCommand command)
    {
        Counters.Commands++;
        _outbox.Add(command);
    }

    private void Log(LogMessage message) => _observer.Log(message);

    private void Changed(string kind, GroupRuntime group, InterfaceRuntime? ifp, string detail) =>
        _observer.Changed(new StateChange(Now, kind, group.Name, ifp?.Name, detail));

    private IEnumerable<GroupRuntime> AllGroups => _groups.Append(_anonymous);
}
