using System.Collections.Immutable;
using Ipmp.Core.Commands;
using Ipmp.Core.Configuration;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Host.Kernel;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Polling;
using Microsoft.Extensions.Logging;
using Nl = Ipmp.Linux.Netlink;

namespace Ipmp.Host.Runtime;

/// <summary>
/// The daemon's one event loop, in the shape of in.mpathd's <c>mpd_main.c</c> run loop: one thread owns the
/// engine, the kernel mirror (<see cref="KernelView"/>), the netlink link/address notification socket, a
/// netlink request socket, the probe sockets and every timer, and waits on them with one epoll (an eventfd
/// for work handed in from other threads; epoll_pwait2's timeout, or a timerfd, for the timers). Probe
/// replies alone do not wake it: they are read at the start of every turn (<see cref="ReadReplies"/>).
/// Everything is handled one at
/// a time, in the order the kernel produced it, and each engine call's commands are carried out right after
/// it (<see cref="CommandExecutor"/>). A full dump is applied only after every notification queued before
/// it was requested, so a dump never overwrites a newer event.
/// </summary>
public sealed class DaemonLoop : IProbeSocketHost, IDisposable
{
    /// <summary>in.mpathd re-reads the interface list every 20 s; so do we (a dump of links and addresses).</summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ResyncRetry = TimeSpan.FromSeconds(1);
    private const int NotificationBudget = 256;

    private const ulong InboxToken = 1, TimerToken = 2, MonitorToken = 3, FirstSocketToken = 16;

    private readonly Epoll _epoll = Epoll.Create();
    /// <summary>The probe sockets: not in <see cref="_epoll"/>, so a reply does not wake the loop; each turn
    /// asks this one (without waiting) which sockets have replies, before it runs what is due.</summary>
    private readonly Epoll _replies = Epoll.Create();
    /// <summary>Only where epoll_pwait2 is missing (before Linux 5.11): epoll_wait's own timeout has
    /// millisecond resolution, so deadlines go through a timerfd (two more syscalls a turn).</summary>
    private readonly TimerFd? _timer;
    private readonly LoopInbox _inbox = new();
    private readonly IKernelLink _kernel;
    private readonly EngineClock _clock;
    private readonly ILogger _logger;
    private readonly FaultInjection _faults;
    private readonly KernelLinkActions? _ownLinkActions;
    private readonly Dictionary<ulong, Action> _sockets = [];
    private readonly Dictionary<int, ulong> _tokenOfFd = [];
    private readonly HashSet<ulong> _replyTokens = [];
    private readonly List<(int Fd, ulong Token, TimeSpan Until)> _snoozed = [];
    private ulong _nextToken = FirstSocketToken;
    private readonly List<Action> _work = [];
    private readonly List<NetworkEvent> _feedback = [];
    private ImmutableArray<NetworkCommand> _lastExecuted = [];
    private volatile bool _stopping;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private IpmpEngine? _engine;
    private DeferredObserver? _observer;
    private TimeSpan _rescanAt;
    private TimeSpan? _heartbeatAt;

    public DaemonLoop(DaemonLoopOptions options, ILogger logger)
    {
        Options = options;
        _logger = logger;
        _clock = new EngineClock(options.Time);
        _faults = options.Faults;
        View = new KernelView();
        Stalls = new StallDetector(logger);
        _kernel = options.Kernel?.Invoke() ?? new NetlinkKernelLink();
        Probes = new ProbeSockets(View, _clock, this, options.ProbeSockets ?? IcmpProbeSocketFactory.Instance, logger);
        Transitive = new TransitiveSockets(View, _clock, this, options.Engine.Cookie,
            options.TransitiveSockets ?? PacketTransitiveSocketFactory.Instance, logger);
        Routes = options.RoutesEnabled ? new RouteWorker(View, options.Routing, PostFromWorker, logger, options.Faults) : null;
        _ownLinkActions = options.LinkActions is null ? new KernelLinkActions() : null;
        Executor = new CommandExecutor(_kernel, View, Probes, Transitive, Routes, options.Announcements, options.LinkActions ?? _ownLinkActions!, _clock, logger);
        _epoll.Add(_inbox.Doorbell.Fd, InboxToken);
        if (!_epoll.HasPreciseTimeout)
        {
            _timer = TimerFd.Create();
            _epoll.Add(_timer.Fd, TimerToken);
        }
        _epoll.Add(_kernel.NotificationFd, MonitorToken);
    }

    public DaemonLoopOptions Options { get; }
    public KernelView View { get; }
    public ProbeSockets Probes { get; }
    public TransitiveSockets Transitive { get; }
    public RouteWorker? Routes { get; }
    public CommandExecutor Executor { get; }

    /// <summary>Set once the engine has seen the kernel and its first placement has been carried out.</summary>
    public Task Ready => _ready.Task;

    public long Turns { get; private set; }
    public StallDetector Stalls { get; }
    public long Resyncs { get; private set; }
    public long Overruns { get; private set; }
    public long InboxRefused => _inbox.Refused;

    /// <summary>Runs <paramref name="call"/> on the loop, carries out the engine's commands, returns the result.</summary>
    public Task<T> InvokeAsync<T>(Func<IpmpEngine, T> call)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _inbox.TryPost(() =>
        {
            T result;
            try
            {
                result = call(_engine!);
            }
            catch (Exception ex)
            {
                // An engine call that throws is a bug: the caller hears of it, and the loop ends (crash-only).
                tcs.TrySetException(ex);
                throw;
            }
            Execute(_engine!.LastOutput);
            tcs.TrySetResult(result);
        });
        if (!posted) tcs.TrySetException(new InvalidOperationException("the daemon's event loop is stopping or overloaded"));
        return tcs.Task;
    }

    /// <summary>On the loop (from an invoked call): a new configuration, in place.</summary>
    public void Reconfigure(IpmpConfig config) => Execute(_engine!.ApplyConfig(config));

    private bool PostFromWorker(Action<Action<NetworkEvent>> work) => _inbox.TryPost(() => work(Deliver));

    /// <summary>The engine (for tests that drive the loop turn by turn; only on the loop's thread).</summary>
    public IpmpEngine Engine => _engine ?? throw new InvalidOperationException("the loop has not started");

    /// <summary>The loop's body, on the thread that owns everything above; returns when stopped.</summary>
    public void Run(IpmpConfig config, IEngineObserver observer)
    {
        if (Options.RealtimePriority is > 0 and var rt)
        {
            if (Ipmp.Linux.ThreadScheduling.TrySetRealtime(rt, out var error))
                _logger.LogInformation("event loop: real-time scheduling (SCHED_RR {Priority})", rt);
            else
                _logger.LogWarning("event loop: cannot use real-time scheduling (SCHED_RR {Priority}): {Error}; failover may wait for a busy CPU", rt, error);
        }
        Start(config, observer);
        while (!_stopping) Turn(-1);
    }

    /// <summary>Dumps the kernel, creates the engine and carries out its first placement.</summary>
    public void Start(IpmpConfig config, IEngineObserver observer)
    {
        var links = _kernel.DumpLinks();
        View.Replace(links);
        var addresses = _kernel.DumpAddresses();
        _observer = new DeferredObserver(observer);
        _engine = new IpmpEngine(config, null, Options.Time, Options.Random, _observer, Options.Engine);
        if (Options.PrepareEngine is { } prepare) _engine = prepare(_engine);
        Execute(_engine.InitialOutput);
        Deliver(Snapshot(links, addresses));
        _rescanAt = _clock.Now + RescanInterval;
        if (Options.HeartbeatInterval is { } hb)
        {
            Options.Heartbeat?.Invoke();
            _heartbeatAt = _clock.Now + hb;
        }
        Options.AfterTurn?.Invoke(_engine);
        _ready.TrySetResult();
    }

    /// <summary>One turn: wait (up to <paramref name="timeoutMs"/>, -1: until something is due or ready),
    /// handle what is ready, then whatever is due on the clock. Returns how many descriptors were ready
    /// (0: the turn ran for a deadline or its timeout).</summary>
    public int Turn(int timeoutMs)
    {
        Span<ulong> ready = stackalloc ulong[64];
        {
            var n = Wait(ready, timeoutMs);
            Turns++;
            // The kernel's link and address news first: a carrier loss ready in the same turn as probe replies
            // or a control connection is not made to wait behind them.
            if (ready[..n].Contains(MonitorToken)) ReadNotifications(NotificationBudget);
            for (var i = 0; i < n && !_stopping; i++)
            {
                switch (ready[i])
                {
                    case InboxToken:
                        _inbox.Drain(_work);
                        foreach (var w in _work) w();
                        _work.Clear();
                        break;
                    case TimerToken:
                        _timer!.Acknowledge();
                        break;
                    case MonitorToken:
                        break;   // read above
                    default:
                        if (_sockets.TryGetValue(ready[i], out var drain)) drain();
                        break;
                }
            }
            if (_replyTokens.Count > 0 && !_stopping) ReadReplies(ready);
            RunDue();
            _observer?.Flush();
            Options.AfterTurn?.Invoke(_engine!);
            return n;
        }
    }

    /// <summary>
    /// The probe replies that arrived since the last turn. The loop does not wake for a reply: the kernel
    /// stamps its arrival (SO_TIMESTAMPNS), and the engine judges a probe only at its deadline, which wakes the
    /// loop, and this runs before the deadline's work. A reply therefore waits at most until the next wake-up
    /// (the next probe send or deadline of any interface, at most one probe interval away); meanwhile half
    /// the loop's wake-ups, each a context switch, are saved (32 NICs at FDT 1 s: 210 a second to 90).
    /// </summary>
    private void ReadReplies(Span<ulong> ready)
    {
        var n = _replies.Wait(ready, 0);
        for (var i = 0; i < n && !_stopping; i++)
            if (_sockets.TryGetValue(ready[i], out var drain)) drain();
    }

    /// <summary>Waits for readiness until the next deadline (or <paramref name="timeoutMs"/>, if sooner).</summary>
    private int Wait(Span<ulong> ready, int timeoutMs)
    {
        var next = NextDeadline();
        if (_timer is not null)
        {
            var now = _clock.Now;
            _timer.Arm(next is { } due ? (due > now ? due - now : TimeSpan.Zero) : null);
            return _epoll.Wait(ready, timeoutMs);
        }
        TimeSpan? timeout = timeoutMs < 0 ? null : TimeSpan.FromMilliseconds(timeoutMs);
        if (next is { } d)
        {
            var untilDue = d - _clock.Now;
            if (timeout is null || untilDue < timeout) timeout = untilDue;
        }
        return _epoll.Wait(ready, timeout);
    }

    /// <summary>
    /// When the loop must next run its timers. The engine's wake-ups (probe slots, mostly) are rounded up to a
    /// grid of FDT/100 when the FDT is at least a second, so that the slots of many interfaces share one
    /// wake-up: 32 probing NICs at FDT 1 s need about 90 wake-ups a second instead of 224. A slot then runs
    /// up to 10 ms late at FDT 1 s; the schedule does not drift (slots are counted from their base), and
    /// short FDTs, where a millisecond matters, are not rounded. Link events never wait for a grid.
    /// </summary>
    private TimeSpan? NextDeadline()
    {
        TimeSpan? next = _rescanAt;
        void Consider(TimeSpan? t)
        {
            if (t is { } v && (next is null || v < next)) next = v;
        }
        if (EngineDue() is { } engineDue)
        {
            var fdt = _engine!.Settings.FailureDetectionTime;
            var grid = fdt >= TimeSpan.FromSeconds(1) ? fdt / 100 : TimeSpan.Zero;
            Consider(grid > TimeSpan.Zero ? TimeSpan.FromTicks((engineDue.Ticks + grid.Ticks - 1) / grid.Ticks * grid.Ticks) : engineDue);
        }
        Consider(Executor.NextRepeat);
        Consider(_heartbeatAt);
        foreach (var z in _snoozed) Consider(z.Until);
        return next;
    }

    /// <summary>The engine's <see cref="IpmpEngine.NextWakeup"/> (a walk over every interface), kept until the
    /// next engine call: <see cref="Execute"/>, which follows every one, forgets it.</summary>
    private TimeSpan? EngineDue()
    {
        if (!_engineDueKnown)
        {
            _engineDue = _engine!.NextWakeup;
            _engineDueKnown = true;
        }
        return _engineDue;
    }

    private TimeSpan? _engineDue;
    private bool _engineDueKnown;

    private void RunDue()
    {
        var engine = _engine!;
        var due = EngineDue();
        if (due is { } first && engine.Now - first is var late && late > TimeSpan.Zero)
            Stalls.Observe(late, engine.Settings.FailureDetectionTime / 7, engine.Now);
        // A timer round can make more work due at once (a loss deadline): run until nothing is.
        for (var i = 0; i < 16 && due is { } d && d <= engine.Now; i++)
        {
            Execute(engine.OnTimer());
            due = EngineDue();
        }
        if (Executor.NextRepeat is { } r && r <= _clock.Now) Executor.RunRepeats();
        var now = _clock.Now;
        if (_heartbeatAt is { } hb && hb <= now)
        {
            // From the loop itself: a wedged loop stops the heartbeat, and systemd restarts the daemon.
            Options.Heartbeat?.Invoke();
            _heartbeatAt = now + Options.HeartbeatInterval!.Value;
        }
        if (_rescanAt <= now) Resync("periodic rescan");
        for (var i = _snoozed.Count - 1; i >= 0; i--)
        {
            if (_snoozed[i].Until > now) continue;
            var (fd, token, _) = _snoozed[i];
            _snoozed.RemoveAt(i);
            if (!_tokenOfFd.TryGetValue(fd, out var current) || current != token) continue;
            try
            {
                _epoll.Add(fd, token);
            }
            catch (System.Net.Sockets.SocketException e) when (e.ErrorCode == 9)   // EBADF: closed while snoozing
            {
                Unwatch(fd);
            }
        }
    }

    /// <summary>Hands <paramref name="e"/> to the engine and carries out what it decides.</summary>
    public void Deliver(NetworkEvent e)
    {
        if (e is LinkObserved { Link.Link: Core.Status.LinkState.Down }) _faults.Maybe("engine");
        Execute(_engine!.Handle(e));
    }

    private void Execute(EngineOutput output)
    {
        _engineDueKnown = false;   // every engine call is followed by this: its wake-up may have moved
        CarryOut(output);
        // Only now what the engine told its observers (logs, metrics, hooks, subscribers): after the kernel work.
        _observer?.Flush();
    }

    private void CarryOut(EngineOutput output)
    {
        if (output.IsEmpty || output.Commands == _lastExecuted) return;
        _lastExecuted = output.Commands;
        if (_faults.Enabled && _ready.Task.IsCompleted && output.Commands.Any(c => c is AddAddress)) _faults.Maybe("executor");
        Executor.Execute(output, _feedback);
        // What the kernel made of it (failures, probe send times) goes back at once, before anything else.
        for (var round = 0; round < 8 && _feedback.Count > 0; round++)
        {
            var batch = _feedback.ToArray();
            _feedback.Clear();
            foreach (var f in batch)
            {
                var next = _engine!.Handle(f);
                if (next.IsEmpty) continue;
                _lastExecuted = next.Commands;
                Executor.Execute(next, _feedback);
            }
        }
        _feedback.Clear();
    }

    private void ReadNotifications(int budget)
    {
        for (var i = 0; i < budget && _kernel.TryReadNotification(out var e); i++) OnNotification(e!);
    }

    private void OnNotification(RtNetlinkEvent e)
    {
        switch (e)
        {
            case LinkEvent { Change: RtNetlinkChange.New } l:
                View.Update(l.Link);
                var info = KernelTranslation.Link(l.Link);
                if (info.Link == Core.Status.LinkState.Down) _faults.Maybe("monitor");
                Deliver(new LinkObserved(info));
                break;
            case LinkEvent { Change: RtNetlinkChange.Deleted } l:
                View.Remove(l.Link);
                Probes.Forget(l.Link.Name);
                Transitive.Forget(l.Link.Name);
                Deliver(new LinkRemoved(l.Link.Name));
                break;
            case AddressEvent a:
                if (KernelTranslation.Address(a.Address, View) is not { } address) break;
                if (a.Change == RtNetlinkChange.Deleted || !KernelTranslation.Usable(a.Address))
                    Deliver(new AddressRemoved(address.Interface, address.Address));
                else
                    Deliver(new AddressObserved(address));
                break;
            case OverrunEvent:
                Overruns++;
                _logger.LogWarning("netlink notifications were lost (ENOBUFS); resynchronising from a full dump");
                Resync("lost notifications");
                break;
        }
    }

    /// <summary>
    /// A full dump of links and addresses replaces the engine's picture. Notifications already queued are
    /// applied first; those that arrive while the dump runs are applied after it (they are newer, or
    /// restate what the dump saw).
    /// </summary>
    private void Resync(string why)
    {
        _rescanAt = _clock.Now + RescanInterval;
        try
        {
            ReadNotifications(100_000);
            var links = _kernel.DumpLinks();
            var addresses = _kernel.DumpAddresses();
            View.Replace(links);
            Resyncs++;
            Deliver(Snapshot(links, addresses));
        }
        catch (Exception ex) when (ex is NetlinkException or System.Net.Sockets.SocketException or TimeoutException)
        {
            _logger.LogError("netlink resynchronisation ({Why}) failed: {Error}; retrying in {Seconds} s", why, ex.Message, ResyncRetry.TotalSeconds);
            _rescanAt = _clock.Now + ResyncRetry;
        }
    }

    private NetworkSnapshot Snapshot(IReadOnlyList<Nl.LinkInfo> links, IReadOnlyList<Nl.AddressInfo> addresses) => new(
        [.. links.Select(KernelTranslation.Link)],
        [.. addresses.Where(KernelTranslation.Usable).Select(a => KernelTranslation.Address(a, View)).OfType<Core.Events.AddressInfo>()]);

    // ---- IReadinessWatcher: probe sockets and the control listener are watched by this loop's epoll ----

    public void Watch(int fd, Action onReadable)
    {
        var token = _nextToken++;
        _sockets[token] = onReadable;
        _tokenOfFd[fd] = token;
        _epoll.Add(fd, token);
    }

    /// <summary>A probe socket: read at every turn, without waking the loop (<see cref="ReadReplies"/>).</summary>
    public void WatchReplies(int fd, Action onReadable)
    {
        var token = _nextToken++;
        _sockets[token] = onReadable;
        _tokenOfFd[fd] = token;
        _replyTokens.Add(token);
        _replies.Add(fd, token);
    }

    public void Unwatch(int fd)
    {
        if (!_tokenOfFd.Remove(fd, out var token)) return;
        _sockets.Remove(token);
        if (_replyTokens.Remove(token)) _replies.Remove(fd);
        else if (_snoozed.RemoveAll(z => z.Token == token) == 0) _epoll.Remove(fd);
    }

    public void Snooze(int fd, TimeSpan pause)
    {
        if (!_tokenOfFd.TryGetValue(fd, out var token) || _snoozed.Exists(z => z.Token == token)) return;
        _epoll.Remove(fd);
        _snoozed.Add((fd, token, _clock.Now + pause));
    }

    /// <summary>From any thread: the loop ends after the turn it is in.</summary>
    public void Stop()
    {
        _stopping = true;
        _inbox.Doorbell.Ring();
    }

    public void Dispose()
    {
        Stop();
        _inbox.Dispose();
        Probes.Dispose();
        Transitive.Dispose();
        Routes?.Dispose();
        _ownLinkActions?.Dispose();
        _kernel.Dispose();
        _timer?.Dispose();
        _replies.Dispose();
        _epoll.Dispose();
    }
}

/// <summary>What the loop is built from.</summary>
public sealed record DaemonLoopOptions
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public required Random Random { get; init; }
    public required EngineOptions Engine { get; init; }
    public AnnouncementSettings Announcements { get; init; } = new();
    public required Func<string, GroupRouting> Routing { get; init; }
    public bool RoutesEnabled { get; init; } = true;
    /// <summary>systemd's watchdog: called from the loop every interval (half of WatchdogSec).</summary>
    public Action? Heartbeat { get; init; }
    public TimeSpan? HeartbeatInterval { get; init; }
    public FaultInjection Faults { get; init; } = FaultInjection.None;
    /// <summary>The kernel's rtnetlink; null: the real one. Created when the loop is.</summary>
    public Func<IKernelLink>? Kernel { get; init; }
    public IProbeSocketFactory? ProbeSockets { get; init; }
    public ITransitiveSocketFactory? TransitiveSockets { get; init; }
    public ILinkActions? LinkActions { get; init; }
    /// <summary>SCHED_RR priority of the loop's thread (0: ordinary scheduling).</summary>
    public int RealtimePriority { get; init; }
    /// <summary>Applied to the new engine before its first event (restoring remembered state).</summary>
    public Func<IpmpEngine, IpmpEngine>? PrepareEngine { get; init; }
    /// <summary>On the loop after every turn (handing a changed state to the state writer).</summary>
    public Action<IpmpEngine>? AfterTurn { get; init; }
}
