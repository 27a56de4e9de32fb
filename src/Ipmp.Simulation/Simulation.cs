using Ipmp.Core.Configuration;
using Ipmp.Core.Engine;
using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Simulation;

/// <summary>
/// The engine running on a simulated link under a simulated clock: a deterministic discrete-event loop
/// that plays the role of the daemon's event loop (events are delivered one at a time, the engine's timer
/// fires when it asked to). A minute of simulated time takes milliseconds.
/// </summary>
public sealed class Simulation : IEngineObserver
{
    public Simulation(IpmpConfig config, Action<SimNetwork> build, int seed = 1, EngineOptions? options = null)
    {
        Clock = new SimClock();
        Scheduler = new SimScheduler();
        Network = new SimNetwork(Clock, Scheduler, new Random(seed));
        build(Network);
        options ??= new EngineOptions { RunId = 7, Cookie = 0x1badc0ffee + (ulong)seed };
        Network.TransitiveCookie = options.Cookie;
        Engine = new IpmpEngine(config, Network, Clock, new Random(seed + 1), this, options);
        foreach (var e in Network.InitialEvents()) Network.Events.Enqueue(e);
        Drain();
    }

    public SimClock Clock { get; }
    public SimScheduler Scheduler { get; }
    public SimNetwork Network { get; }
    public IpmpEngine Engine { get; private set; }
    private int _restarts;

    /// <summary>
    /// A restart of the daemon (kill -9 and start): a new engine on the same network and clock, seeded with
    /// <paramref name="remembered"/> (what the old one remembered, or null for none) before it sees the
    /// kernel. Replies to the old engine's probes still in flight carry its cookie and are ignored.
    /// </summary>
    public void Restart(IpmpConfig config, RememberedState? remembered)
    {
        _restarts++;
        Network.Events.Clear();   // the dead daemon read nothing more
        var options = new EngineOptions { RunId = 7 + _restarts, Cookie = 0xdeadbeef00 + (ulong)_restarts };
        Network.TransitiveCookie = options.Cookie;
        Engine = new IpmpEngine(config, Network, Clock, new Random(1000 + _restarts), this, options);
        if (remembered is not null) Engine.Restore(remembered);
        foreach (var e in Network.InitialEvents()) Network.Events.Enqueue(e);
        Drain();
    }
    public TimeSpan Now => Clock.Now;

    public List<(TimeSpan At, LogMessage Message)> Log { get; } = [];
    public List<StateChange> Changes { get; } = [];
    public List<ProbeEvent> Probes { get; } = [];
    public bool RecordProbes { get; set; }

    /// <summary>Called after every step (an event delivered or a timer round): tests check invariants here.</summary>
    public Action? AfterStep { get; set; }

    void IEngineObserver.Log(LogMessage message) => Log.Add((Clock.Now, message));
    void IEngineObserver.Changed(StateChange change) => Changes.Add(change);
    bool IEngineObserver.WantsProbes => RecordProbes;

    void IEngineObserver.Probe(ProbeEvent probe)
    {
        if (RecordProbes) Probes.Add(probe);
    }

    public IpmpSnapshot Snapshot() => Engine.Snapshot();

    /// <summary>Delivers queued network events to the engine, one at a time.</summary>
    public void Drain()
    {
        while (Network.Events.TryDequeue(out var e))
        {
            Engine.Handle(e);
            AfterStep?.Invoke();
        }
    }

    public void RunFor(TimeSpan duration) => RunUntil(() => false, duration);

    /// <summary>Runs until <paramref name="condition"/> holds (checked after every step) or
    /// <paramref name="timeout"/> passes. Returns how long it took, or null on timeout.</summary>
    public TimeSpan? RunUntil(Func<bool> condition, TimeSpan timeout)
    {
        var start = Clock.Now;
        var end = start + timeout;
        Drain();
        if (condition()) return TimeSpan.Zero;
        while (true)
        {
            var next = Min(Scheduler.NextAt, Engine.NextWakeup);
            if (next is null || next > end)
            {
                Clock.AdvanceTo(end);
                return condition() ? end - start : null;
            }
            if (next > Clock.Now) Clock.AdvanceTo(next.Value);
            Scheduler.RunDue(Clock.Now);
            Drain();
            if (condition()) return Clock.Now - start;
            if (Engine.NextWakeup is { } w && w <= Clock.Now)
            {
                Engine.OnTimer();
                AfterStep?.Invoke();
                Drain();
                if (condition()) return Clock.Now - start;
            }
        }
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    /// <summary>Applies a fault or change to the network now and lets the engine see it.</summary>
    public void Do(Action<SimNetwork> change)
    {
        change(Network);
        Drain();
    }

    public InterfaceStatus Interface(string name) =>
        Snapshot().Interfaces.FirstOrDefault(i => i.Name == name)
        ?? throw new KeyNotFoundException($"interface {name} is not shown");

    public GroupStatus Group(string name) => Snapshot().Groups.First(g => g.Name == name);
}
