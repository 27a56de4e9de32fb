using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;

namespace Ipmp.Host.Metrics;

/// <summary>
/// The daemon's <see cref="System.Diagnostics.Metrics"/> instruments (meter <c>ipmp</c>) and where their
/// values come from. Two sources, neither of which costs the event loop more than a field update:
/// <list type="bullet">
/// <item>The engine's observer callbacks, on the loop: a failure, a repair, a move or any change that names an
/// interface increments or stamps a field of a small per-interface (per-group) object; an answered probe
/// records its round-trip time in the histogram (the engine builds probe events only while someone wants them:
/// with metrics on, <see cref="WantsProbes"/> is true, one small allocation per probe outcome).</item>
/// <item>A snapshot (<see cref="MetricsView"/>) taken on the loop when Prometheus scrapes, at most once per
/// <see cref="SnapshotMaxAge"/> (<c>DaemonLoop.InvokeAsync</c>): interface and group states, the FDT, and the
/// engine's own per-interface probe counters (sent, lost), so probe counts cost nothing per probe.</item>
/// </list>
/// Everything else happens on the scraping thread: the observable instruments' callbacks read what the loop
/// published and the latest snapshot. If the loop does not answer within <see cref="SnapshotTimeout"/> the
/// previous snapshot is served again (and counted in <c>ipmp_metrics_snapshot_timeouts_total</c>).
/// The anonymous group (interfaces tracked without a group) is not exported.
/// </summary>
public sealed class IpmpMetrics : IEngineObserver, IDisposable
{
    public const string MeterName = "ipmp";
    public static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan SnapshotTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Probe RTT buckets (seconds): 100 µs (a quiet LAN) to 5 s (in.mpathd's slowest targets).</summary>
    public static readonly IReadOnlyList<double> RttBuckets =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private static readonly string[] InterfaceStates = ["ok", "failed", "offline", "unknown"];
    private static readonly string[] GroupStates = ["ok", "failed", "degraded"];

    private readonly Meter _meter;
    private readonly Histogram<double> _rtt;
    private readonly Func<MetricsView?> _snapshot;
    private readonly EngineClock _clock;
    private readonly TimeProvider _time;

    // Written on the loop only. Readers take the published arrays (copy on write when a key appears) and read
    // the objects' fields with Volatile.Read.
    private readonly Dictionary<(string Group, string Interface), InterfaceCounters> _interfaces = [];
    private readonly Dictionary<string, GroupCounters> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, InterfaceCounters> _byName = new(StringComparer.Ordinal);
    private InterfaceCounters[] _publishedInterfaces = [];
    private GroupCounters[] _publishedGroups = [];

    // The scraping side (one collection at a time: the exporter collects under its own lock; ours guards anyway).
    private readonly Lock _scrapeLock = new();
    private MetricsView _view = MetricsView.Empty;
    private long _viewTakenAt = long.MinValue;
    private readonly Dictionary<(string, string), ProbeTotals> _probeTotals = [];
    private long _snapshotTimeouts;

    /// <param name="snapshot">Takes a <see cref="MetricsView"/> on the event loop; null when the loop did not
    /// answer in time (the daemon: <c>loop.InvokeAsync(MetricsView.Capture)</c> with a timeout).</param>
    /// <param name="meterName">Tests give each instance its own (an exporter listens to meters by name).</param>
    public IpmpMetrics(Func<MetricsView?> snapshot, TimeProvider? time = null, string meterName = MeterName)
    {
        _meter = new Meter(meterName);
        _snapshot = snapshot;
        _time = time ?? TimeProvider.System;
        _clock = new EngineClock(_time);
        _rtt = _meter.CreateHistogram<double>("ipmp_probe_rtt_seconds", "s",
            "Round-trip time of answered probes (kernel receive time minus send time)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RttBuckets });
        _meter.CreateObservableCounter("ipmp_interface_failures", () => ForInterfaces(c => Volatile.Read(ref c.Failures)),
            description: "Interface failures detected (by link or by probes)");
        _meter.CreateObservableCounter("ipmp_interface_repairs", () => ForInterfaces(c => Volatile.Read(ref c.Repairs)),
            description: "Interface repairs detected");
        _meter.CreateObservableCounter("ipmp_address_moves", ObserveMoves,
            description: "Data addresses moved from one member to another (failover, failback, rebalancing)");
        _meter.CreateObservableGauge("ipmp_interface_active", ObserveActive,
            description: "1 if the interface is active (carries data addresses and outbound traffic), else 0");
        _meter.CreateObservableGauge("ipmp_interface_state", ObserveInterfaceState,
            description: "Interface state as ipmpstat -i shows it: 1 for the current state, 0 for the others");
        _meter.CreateObservableGauge("ipmp_group_state", ObserveGroupState,
            description: "Group state as ipmpstat -g shows it: 1 for the current state, 0 for the others");
        _meter.CreateObservableCounter("ipmp_probes_sent", () => ObserveProbes(lost: false),
            description: "Failure-detection probes sent (both address families)");
        _meter.CreateObservableCounter("ipmp_probes_lost", () => ObserveProbes(lost: true),
            description: "Failure-detection probes declared lost");
        _meter.CreateObservableGauge("ipmp_failure_detection_time_seconds", ObserveFdt, "s",
            "The group's current failure detection time (raised while targets are slow); absent when no member probes");
        _meter.CreateObservableGauge("ipmp_last_change_timestamp_seconds", ObserveLastChange, "s",
            "Unix time of the last state change that named the interface (what ipmp events prints)");
        _meter.CreateObservableCounter("ipmp_metrics_snapshot_timeouts", () => new Measurement<long>(Interlocked.Read(ref _snapshotTimeouts)),
            description: "Scrapes served from the previous snapshot because the event loop did not answer within 1 s");
    }

    public Meter Meter => _meter;

    // ---- IEngineObserver: on the event loop ----

    public bool WantsProbes => true;

    public void Probe(ProbeEvent probe)
    {
        if (probe is not { State: ProbeEventState.Acked, AckReceived: { } received }) return;
        if (!_byName.TryGetValue(probe.Interface, out var c)) return;
        // "Sent" is read after send(2) returns; on a fast link the kernel has stamped the reply before that:
        // a round trip below what the daemon can tell apart counts as 0.
        var rtt = Math.Max(0, (received - probe.Sent).TotalSeconds);
        _rtt.Record(rtt, new KeyValuePair<string, object?>("group", c.Group), new KeyValuePair<string, object?>("interface", c.Interface));
    }

    public void Changed(StateChange change)
    {
        if (change.Group.Length == 0) return;   // the anonymous group
        switch (change.Kind)
        {
            case "address-moved":
                var g = GroupOf(change.Group);
                Volatile.Write(ref g.Moves, g.Moves + 1);
                break;
            case "member-removed" or "interface-removed" when change.Interface is { } gone:
                if (_byName.TryGetValue(gone, out var old) && old.Group == change.Group) _byName.Remove(gone);
                break;
        }
        if (change.Interface is not { } name) return;
        var c = InterfaceOf(change.Group, name);
        if (change.Kind is not ("member-removed" or "interface-removed")) _byName[name] = c;
        switch (change.Kind)
        {
            case "interface-failed":
                Volatile.Write(ref c.Failures, c.Failures + 1);
                break;
            case "interface-repaired":
                Volatile.Write(ref c.Repairs, c.Repairs + 1);
                break;
        }
        Volatile.Write(ref c.LastChangeTicks, change.At.Ticks);
    }

    private InterfaceCounters InterfaceOf(string group, string name)
    {
        if (_interfaces.TryGetValue((group, name), out var c)) return c;
        c = new InterfaceCounters(group, name);
        _interfaces[(group, name)] = c;
        Volatile.Write(ref _publishedInterfaces, [.. _publishedInterfaces, c]);
        GroupOf(group);
        return c;
    }

    private GroupCounters GroupOf(string group)
    {
        if (_groups.TryGetValue(group, out var g)) return g;
        g = new GroupCounters(group);
        _groups[group] = g;
        Volatile.Write(ref _publishedGroups, [.. _publishedGroups, g]);
        return g;
    }

    // ---- the scraping side ----

    /// <summary>The latest snapshot, taken again when older than <see cref="SnapshotMaxAge"/>.</summary>
    internal MetricsView View()
    {
        lock (_scrapeLock)
        {
            var now = _time.GetTimestamp();
            if (_viewTakenAt != long.MinValue && _time.GetElapsedTime(_viewTakenAt, now) < SnapshotMaxAge) return _view;
            var taken = _snapshot();
            _viewTakenAt = now;   // a loop that did not answer is not asked again by this collection
            if (taken is null)
            {
                Interlocked.Increment(ref _snapshotTimeouts);
                return _view;
            }
            _view = taken;
            AccumulateProbes(taken);
            return _view;
        }
    }

    /// <summary>The engine's probe counters restart when an interface is created again, and a probe declared
    /// lost can be taken back (its reply had arrived before the deadline): the exported totals only ever grow.</summary>
    private void AccumulateProbes(MetricsView view)
    {
        foreach (var i in view.Interfaces)
        {
            var key = (i.Group, i.Name);
            if (!_probeTotals.TryGetValue(key, out var t)) _probeTotals[key] = t = new ProbeTotals();
            long sent, lost;
            if (i.ProbesSent < t.LastSent)
            {
                sent = i.ProbesSent;   // a new runtime object: counting starts again
                lost = i.ProbesLost;
            }
            else
            {
                sent = i.ProbesSent - t.LastSent;
                lost = Math.Max(0, i.ProbesLost - t.LastLost);
            }
            t.Sent += sent;
            t.Lost += lost;
            t.LastSent = i.ProbesSent;
            t.LastLost = i.ProbesLost;
        }
    }

    /// <summary>Every interface with counters, and every member of the snapshot at 0 if it has none yet: a
    /// first failure is then an increase that Prometheus sees, not a new series.</summary>
    private IEnumerable<Measurement<long>> ForInterfaces(Func<InterfaceCounters, long> value)
    {
        var view = View();
        var counters = Volatile.Read(ref _publishedInterfaces);
        foreach (var c in counters)
            yield return new Measurement<long>(value(c), Tag("group", c.Group), Tag("interface", c.Interface));
        foreach (var i in view.Interfaces)
            if (!counters.Any(c => c.Group == i.Group && c.Interface == i.Name))
                yield return new Measurement<long>(0, Tag("group", i.Group), Tag("interface", i.Name));
    }

    private IEnumerable<Measurement<long>> ObserveMoves()
    {
        var view = View();
        var counters = Volatile.Read(ref _publishedGroups);
        foreach (var g in counters)
            yield return new Measurement<long>(Volatile.Read(ref g.Moves), Tag("group", g.Group));
        foreach (var g in view.Groups)
            if (!counters.Any(c => c.Group == g.Name))
                yield return new Measurement<long>(0, Tag("group", g.Name));
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        foreach (var i in View().Interfaces)
            yield return new Measurement<long>(i.Active ? 1 : 0, Tag("group", i.Group), Tag("interface", i.Name));
    }

    private IEnumerable<Measurement<long>> ObserveInterfaceState()
    {
        foreach (var i in View().Interfaces)
        {
            var current = StateName(i.State);
            foreach (var s in InterfaceStates)
                yield return new Measurement<long>(s == current ? 1 : 0, Tag("group", i.Group), Tag("interface", i.Name), Tag("state", s));
        }
    }

    private IEnumerable<Measurement<long>> ObserveGroupState()
    {
        foreach (var g in View().Groups)
        {
            var current = StateName(g.State);
            foreach (var s in GroupStates)
                yield return new Measurement<long>(s == current ? 1 : 0, Tag("group", g.Name), Tag("state", s));
        }
    }

    private IEnumerable<Measurement<double>> ObserveFdt()
    {
        foreach (var g in View().Groups)
            if (g.FailureDetectionTime is { } fdt)
                yield return new Measurement<double>(fdt.TotalSeconds, Tag("group", g.Name));
    }

    private IEnumerable<Measurement<long>> ObserveProbes(bool lost)
    {
        View();
        List<Measurement<long>> result;
        lock (_scrapeLock)
        {
            result = [.. _probeTotals.Select(kv => new Measurement<long>(lost ? kv.Value.Lost : kv.Value.Sent,
                Tag("group", kv.Key.Item1), Tag("interface", kv.Key.Item2)))];
        }
        return result;
    }

    private IEnumerable<Measurement<double>> ObserveLastChange()
    {
        // Engine instants are monotonic: the wall clock's distance from now puts them on the Unix time line.
        var nowMono = _clock.Now;
        var nowUnix = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        foreach (var c in Volatile.Read(ref _publishedInterfaces))
        {
            var at = Volatile.Read(ref c.LastChangeTicks);
            if (at == long.MinValue) continue;
            yield return new Measurement<double>(Math.Round(nowUnix - (nowMono - TimeSpan.FromTicks(at)).TotalSeconds, 3),
                Tag("group", c.Group), Tag("interface", c.Interface));
        }
    }

    internal static string StateName(InterfaceState s) => s switch
    {
        InterfaceState.Ok => "ok",
        InterfaceState.Failed => "failed",
        InterfaceState.Offline => "offline",
        _ => "unknown",
    };

    internal static string StateName(GroupState s) => s switch
    {
        GroupState.Ok => "ok",
        GroupState.Failed => "failed",
        _ => "degraded",
    };

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    public void Dispose() => _meter.Dispose();

    private sealed class InterfaceCounters(string group, string name)
    {
        public readonly string Group = group;
        public readonly string Interface = name;
        public long Failures;
        public long Repairs;
        public long LastChangeTicks = long.MinValue;
    }

    private sealed class GroupCounters(string group)
    {
        public readonly string Group = group;
        public long Moves;
    }

    private sealed class ProbeTotals
    {
        public long Sent, Lost, LastSent, LastLost;
    }
}

/// <summary>What the loop tells a scrape: the state gauges and the engine's probe counters, one consistent
/// picture. Built on the loop by <see cref="Capture"/>; immutable afterwards.</summary>
public sealed record MetricsView(ImmutableArray<MetricsView.GroupRow> Groups, ImmutableArray<MetricsView.InterfaceRow> Interfaces)
{
    public static MetricsView Empty { get; } = new([], []);

    public sealed record GroupRow(string Name, GroupState State, TimeSpan? FailureDetectionTime);

    /// <param name="ProbesSent">The engine's count, both families; it starts again when the interface does.</param>
    public sealed record InterfaceRow(string Group, string Name, InterfaceState State, bool Active, long ProbesSent, long ProbesLost);

    /// <summary>On the loop: the engine's state as ipmpstat sees it, plus its per-interface probe counters.</summary>
    public static MetricsView Capture(IpmpEngine engine)
    {
        var snapshot = engine.Snapshot();
        var groups = ImmutableArray.CreateBuilder<GroupRow>();
        var interfaces = ImmutableArray.CreateBuilder<InterfaceRow>();
        foreach (var g in snapshot.Groups)
        {
            if (g.IsAnonymous) continue;
            groups.Add(new GroupRow(g.Name, g.State, g.FailureDetectionTime));
            foreach (var name in g.Interfaces)
            {
                var status = snapshot.Interfaces.FirstOrDefault(i => i.Name == name);
                var runtime = engine.FindInterface(name);
                if (status is null || runtime is null) continue;
                interfaces.Add(new InterfaceRow(g.Name, name, status.State, status.IsActive,
                    runtime.V4.Sent + runtime.V6.Sent + runtime.Transitive.Sent, runtime.V4.Lost + runtime.V6.Lost + runtime.Transitive.Lost));
            }
        }
        return new MetricsView(groups.ToImmutable(), interfaces.ToImmutable());
    }
}
