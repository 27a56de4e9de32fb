using System.Threading.Channels;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Microsoft.Extensions.Logging;
using CoreLog = Ipmp.Core.Logging;

namespace Ipmp.Host.Daemon;

/// <summary>Sends the engine's log lines to the logger and its probe events and state changes to
/// whoever subscribed (ipmpstat -p, ipmp events). Runs on the loop: it never blocks.</summary>
public sealed class DaemonObserver(ILogger logger) : IEngineObserver
{
    private readonly Lock _lock = new();
    private readonly List<Channel<object>> _subscribers = [];

    public void Log(CoreLog.LogMessage message)
    {
        if (message.Level == CoreLog.LogLevel.Error) logger.LogError("{Message}", message.Text);
        else logger.LogInformation("{Message}", message.Text);
    }

    public void Probe(ProbeEvent probe) => Publish(probe);
    public void Changed(StateChange change) => Publish(change);

    private void Publish(object item)
    {
        lock (_lock)
            foreach (var s in _subscribers) s.Writer.TryWrite(item);
    }

    /// <summary>A bounded feed of <see cref="ProbeEvent"/>s and <see cref="StateChange"/>s; a subscriber
    /// that cannot keep up loses the oldest items rather than slowing the daemon.</summary>
    public ChannelReader<object> Subscribe(CancellationToken unsubscribe)
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock) _subscribers.Add(channel);
        unsubscribe.Register(() =>
        {
            lock (_lock) _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }
}
