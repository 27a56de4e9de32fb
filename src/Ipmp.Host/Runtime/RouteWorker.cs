using System.Collections.Immutable;
using System.Net.Sockets;
using Ipmp.Core.Events;
using Ipmp.Host.Kernel;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Polling;
using Microsoft.Extensions.Logging;
using Nl = Ipmp.Linux.Netlink;

namespace Ipmp.Host.Runtime;

/// <summary>
/// Route work, off the event loop: keeping the groups' outbound routes on their active members
/// (<see cref="LoadSpreader"/>) and reading the main routing table for target discovery. A thread of its
/// own with its own netlink sockets (requests, and route notifications), so that neither a large routing
/// table, nor route churn, nor a slow route change ever delays an address move on the loop.
/// Work coalesces: whatever was asked while a sync ran is done once, after it (at most one pending).
/// Only main-table notifications matter; 200,000 routes changing in another table cost a parse each.
/// </summary>
public sealed class RouteWorker : IDisposable
{
    /// <summary>Route notifications usually come in bursts (a table being written): wait this long first.</summary>
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private const ulong MonitorToken = 1, DoorbellToken = 2;

    private readonly RtNetlinkClient _client;
    private readonly RtNetlinkMonitor _monitor;
    private readonly LoadSpreader _spreader;
    private readonly KernelView _view;
    private readonly Func<Action<Action<NetworkEvent>>, bool> _post;
    private readonly ILogger _logger;
    private readonly FaultInjection _faults;
    private bool _started;
    private readonly LogLimiter _limiter = new();
    private readonly Epoll _epoll = Epoll.Create();
    private readonly EventFd _doorbell = EventFd.Create();

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ImmutableArray<string>> _outbound = new(StringComparer.Ordinal);
    private bool _stopping;

    // Owned by the worker thread.
    private bool _dump = true, _sync = true;
    private long? _dueAt = 0;   // Environment.TickCount64 of a coalesced or retried run (0: at once)
    private bool _retrying;

    /// <param name="post">Hands an action to the event loop; the action receives the loop's deliver
    /// function. False when the loop's inbox is full (the dump is then retried).</param>
    public RouteWorker(KernelView view, Func<string, GroupRouting> routing, Func<Action<Action<NetworkEvent>>, bool> post, ILogger logger,
        FaultInjection? faults = null)
    {
        _faults = faults ?? FaultInjection.None;
        _view = view;
        _post = post;
        _logger = logger;
        _client = RtNetlinkClient.Create();
        _monitor = RtNetlinkMonitor.Create(RtNetlinkGroups.IPv4Route | RtNetlinkGroups.IPv6Route);
        _spreader = new LoadSpreader(_client, view, routing, logger);
        _epoll.Add(_monitor.Fd, MonitorToken);
        _epoll.Add(_doorbell.Fd, DoorbellToken);
    }

    public LoadSpreader Routes => _spreader;
    public long Failures { get; private set; }
    public long Dumps { get; private set; }

    /// <summary>Switches the kernel to layer-4 multipath hashing (a sysctl of this network namespace).</summary>
    public void EnableLayer4Hashing() => _spreader.EnableLayer4Hashing();

    /// <summary>From the loop: a group's outbound members changed. Only the latest list per group is kept.</summary>
    public void SetOutbound(string group, ImmutableArray<string> members)
    {
        lock (_lock) _outbound[group] = members;
        _doorbell.Ring();
    }

    /// <summary>The worker's body; returns when <see cref="Stop"/> is called.</summary>
    public void Run()
    {
        Span<ulong> ready = stackalloc ulong[4];
        Dictionary<string, ImmutableArray<string>> taken = new(StringComparer.Ordinal);
        while (true)
        {
            var timeout = _dueAt is { } dueAt ? (int)Math.Max(0, dueAt - Environment.TickCount64) : -1;
            var n = _epoll.Wait(ready, timeout);
            lock (_lock)
            {
                if (_stopping) return;
                foreach (var kv in _outbound) taken[kv.Key] = kv.Value;
                _outbound.Clear();
            }
            for (var i = 0; i < n; i++)
            {
                if (ready[i] == DoorbellToken) _doorbell.Clear();
                else if (ready[i] == MonitorToken) ReadNotifications();
            }
            var due = _dueAt is { } d && d <= Environment.TickCount64;
            // After a failure nothing runs before the retry time, whatever arrives meanwhile (no hot loop).
            if (_retrying && !due) continue;
            if (taken.Count == 0 && !due) continue;
            _dueAt = null;
            _retrying = false;
            if (!_dump && !_sync && taken.Count == 0) continue;
            Work(taken);
        }
    }

    private void ReadNotifications()
    {
        for (var i = 0; i < 4096 && _monitor.TryReceive(out var e); i++)
        {
            var relevant = e is OverrunEvent || (e is RouteEvent r && r.Route.Table == Nl.RouteInfo.MainTable);
            if (!relevant) continue;
            _dump = _sync = true;
            _dueAt ??= Environment.TickCount64 + (long)Coalesce.TotalMilliseconds;
        }
    }

    private void Work(Dictionary<string, ImmutableArray<string>> taken)
    {
        try
        {
            if (taken.Count > 0)
            {
                if (_started) _faults.Maybe("worker");
                _started = true;
                foreach (var (group, members) in taken) _spreader.ApplyAsync(group, members, CancellationToken.None).GetAwaiter().GetResult();
                taken.Clear();
                _sync = false;
            }
            else if (_sync)
            {
                _sync = false;
                _spreader.SyncAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            if (_dump)
            {
                _dump = false;
                var routes = _client.GetRoutes(AddressFamily.Unspecified, Nl.RouteInfo.MainTable);
                Dumps++;
                var v4 = KernelTranslation.Routes(routes, AddressFamily.InterNetwork, _view);
                var v6 = KernelTranslation.Routes(routes, AddressFamily.InterNetworkV6, _view);
                if (!_post(deliver =>
                    {
                        deliver(new RoutesObserved(AddressFamily.InterNetwork, v4));
                        deliver(new RoutesObserved(AddressFamily.InterNetworkV6, v6));
                    }))
                    Retry(dump: true);
            }
        }
        catch (Exception ex) when (ex is NetlinkException or SocketException or TimeoutException or IOException)
        {
            Failures++;
            if (_limiter.Allow("route", TimeSpan.FromMilliseconds(Environment.TickCount64), out var suppressed))
                _logger.LogError("route work failed: {Error}; retrying in {Seconds} s{Suppressed}", ex.Message, RetryAfter.TotalSeconds,
                    LogLimiterClock.Note(suppressed));
            // Keep what was asked (taken): newer lists replace it when they come; retried after the pause.
            Retry(dump: true);
        }
    }

    private void Retry(bool dump)
    {
        _sync = true;
        _dump |= dump;
        _dueAt = Environment.TickCount64 + (long)RetryAfter.TotalMilliseconds;
        _retrying = true;
    }

    public void Stop()
    {
        lock (_lock) _stopping = true;
        _doorbell.Ring();
    }

    public void Dispose()
    {
        Stop();
        _epoll.Dispose();
        _doorbell.Dispose();
        _monitor.Dispose();
        _client.Dispose();
    }
}
