using System.Net;
using Ipmp.Core.Status;

namespace Ipmp.Bench.Probes;

/// <summary>
/// The daemon's own probe outcomes, counted from its probe events (what <c>ipmp events --probes</c> and
/// <c>ipmpstat -p</c> show): probes sent, LOST events, ACKED events, and the RTT of each answer as the daemon
/// recorded it (kernel receive stamp minus send time). A LOST probe can still turn ACKED when its reply comes
/// late (illumos does that; so did the older build when the kernel had the reply before the verdict), so
/// LOST events, LOST-then-ACKED and probes still lost at the end are kept apart. Only events seen between
/// <see cref="Open"/> and <see cref="Close"/> count. Thread-safe: one reader adds, anyone reads.
/// </summary>
public sealed class ProbeTally
{
    private readonly object _gate = new();
    private readonly HashSet<(string Interface, ushort Id)> _lost = [];
    private readonly List<double> _rttMs = [];
    private readonly HashSet<IPAddress> _targets = [];
    private readonly HashSet<string> _answered = [];
    private bool _open;
    private long _sent, _acked, _lostEvents, _lateAcked, _outside;
    private ProbeEvent? _lastAck;

    public void Open()
    {
        lock (_gate) _open = true;
    }

    public void Close()
    {
        lock (_gate) _open = false;
    }

    public void Add(ProbeEvent e)
    {
        lock (_gate)
        {
            if (e.State == ProbeEventState.Acked) _answered.Add(e.Interface);
            if (!_open)
            {
                _outside++;
                return;
            }
            _targets.Add(e.Target);
            switch (e.State)
            {
                case ProbeEventState.Sent:
                    _sent++;
                    break;
                case ProbeEventState.Lost:
                    _lostEvents++;
                    _lost.Add((e.Interface, e.Id));
                    break;
                case ProbeEventState.Acked:
                    _acked++;
                    if (_lost.Remove((e.Interface, e.Id))) _lateAcked++;
                    if (e.AckReceived is { } received) _rttMs.Add((received - e.Sent).TotalMilliseconds);
                    _lastAck = e;
                    break;
            }
        }
    }

    /// <summary>Whether <paramref name="nic"/> has had a probe ACKED, window or not (settling).</summary>
    public bool HasAnswer(string nic)
    {
        lock (_gate) return _answered.Contains(nic);
    }

    public ProbeCounts Counts
    {
        get
        {
            lock (_gate)
                return new ProbeCounts(_sent, _acked, _lostEvents, _lateAcked, _lost.Count, [.. _rttMs],
                    [.. _targets.Select(t => t.ToString()).Order(StringComparer.Ordinal)], _lastAck?.RttAverage, _lastAck?.RttDeviation, _outside);
        }
    }
}

/// <param name="Sent">SENT events (unicast failure-detection probes).</param>
/// <param name="Acked">ACKED events.</param>
/// <param name="LostEvents">LOST events: what ipmpstat -p prints as LOST.</param>
/// <param name="LateAcked">Probes declared LOST that a later reply turned ACKED.</param>
/// <param name="StillLost">Probes declared LOST and never acknowledged afterwards.</param>
/// <param name="RttMs">The RTT of every ACKED probe, ms (negative when the receive stamp precedes the send time).</param>
/// <param name="Targets">Every target address a counted event named.</param>
/// <param name="LastRttAverage">The target's estimator (sa/8) at the last ACKED event.</param>
/// <param name="LastRttDeviation">Its mean deviation (sv/4) then.</param>
/// <param name="OutsideWindow">Events seen while the window was not open (settling, after the end): not counted.</param>
public sealed record ProbeCounts(
    long Sent,
    long Acked,
    long LostEvents,
    long LateAcked,
    long StillLost,
    IReadOnlyList<double> RttMs,
    IReadOnlyList<string> Targets,
    TimeSpan? LastRttAverage,
    TimeSpan? LastRttDeviation,
    long OutsideWindow);
