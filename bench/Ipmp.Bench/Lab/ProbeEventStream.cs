using Ipmp.Bench.Probes;
using Ipmp.Host.Control;

namespace Ipmp.Bench.Lab;

/// <summary>
/// A probe-event subscription to the daemon's control socket (as <c>ipmp events --probes</c>; root), read by
/// an owned thread into a <see cref="ProbeTally"/>. <see cref="Ended"/> tells whether the stream stopped
/// before Dispose (the daemon exited or dropped a subscriber that fell behind): then the counts are partial.
/// </summary>
public sealed class ProbeEventStream : IDisposable
{
    private readonly ControlSubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private volatile string? _ended;

    public ProbeEventStream(string socketPath, ProbeTally tally)
    {
        Tally = tally;
        var client = new ControlClient(socketPath);
        _subscription = client.SubscribeAsync(probes: true, changes: false).GetAwaiter().GetResult();
        _thread = new Thread(Read) { IsBackground = true, Name = "probe events" };
        _thread.Start();
    }

    public ProbeTally Tally { get; }

    /// <summary>Why the stream ended early, or null while it runs (or after a normal Dispose).</summary>
    public string? Ended => _ended;

    private void Read()
    {
        try
        {
            var events = _subscription.ReadAllAsync(_stop.Token).GetAsyncEnumerator(_stop.Token);
            try
            {
                while (events.MoveNextAsync().AsTask().GetAwaiter().GetResult())
                    if (events.Current.Probe is { } p) Tally.Add(p);
            }
            finally
            {
                events.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            if (!_stop.IsCancellationRequested) _ended = "the daemon closed the event stream";
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is ControlException or IOException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested) _ended = e.Message;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _subscription.Dispose();   // unblocks a pending read
        _thread.Join();
        _stop.Dispose();
    }
}
