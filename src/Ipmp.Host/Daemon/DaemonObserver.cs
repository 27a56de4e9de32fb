using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;
using Ipmp.Host.Kernel;
using Microsoft.Extensions.Logging;
using CoreLog = Ipmp.Core.Logging;

namespace Ipmp.Host.Daemon;

/// <summary>Sends the engine's log lines to the logger and its probe events and state changes to
/// whoever subscribed (ipmpstat -p, ipmp events). Runs on the loop: sinks never block.</summary>
public sealed class DaemonObserver(ILogger logger) : IEngineObserver
{
    private sealed record Subscriber(IControlEventSink Sink, bool Probes, bool Changes);

    private readonly Lock _lock = new();
    private Subscriber[] _subscribers = [];
    private readonly LogLimiterClock _limit = new(new EngineClock(TimeProvider.System), burst: 10, interval: TimeSpan.FromSeconds(10));

    /// <summary>The same line over and over (a link flapping at 20 Hz, a peer sending malformed replies) is
    /// logged in bursts of 10 per 10 s per text, then summarised; distinct lines (each NIC's failure) are not
    /// held back by one another.</summary>
    public void Log(CoreLog.LogMessage message)
    {
        if (!_limit.Allow(message.Text, out var suppressed)) return;
        var note = LogLimiterClock.Note(suppressed);
        if (message.Level == CoreLog.LogLevel.Error) logger.LogError("{Message}{Suppressed}", message.Text, note);
        else logger.LogInformation("{Message}{Suppressed}", message.Text, note);
    }

    public bool WantsProbes => Volatile.Read(ref _subscribers).Any(s => s.Probes);

    public void Probe(ProbeEvent probe)
    {
        foreach (var s in Volatile.Read(ref _subscribers))
            if (s.Probes) s.Sink.OnProbe(probe);
    }

    public void Changed(StateChange change)
    {
        logger.LogDebug("{Kind} {Group} {Interface} {Detail}", change.Kind, change.Group, change.Interface, change.Detail);
        foreach (var s in Volatile.Read(ref _subscribers))
            if (s.Changes) s.Sink.OnChange(change);
    }

    public IDisposable Subscribe(IControlEventSink sink, bool probes, bool changes)
    {
        var subscriber = new Subscriber(sink, probes, changes);
        lock (_lock) _subscribers = [.. _subscribers, subscriber];
        return new Unsubscriber(() =>
        {
            lock (_lock) _subscribers = [.. _subscribers.Where(s => s != subscriber)];
        });
    }

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        private Action? _action = action;
        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
