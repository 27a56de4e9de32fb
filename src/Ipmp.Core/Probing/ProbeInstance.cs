using System.Net;
using System.Net.Sockets;
using Ipmp.Core.Model;
using Ipmp.Core.Status;

namespace Ipmp.Core.Probing;

/// <summary>
/// The IPv4 or IPv6 half of one interface's probing (illumos phyint_instance): its test address, targets,
/// probe history and send schedule. Decisions that need both families or the group live in the engine.
/// </summary>
public sealed class ProbeInstance(AddressFamily family)
{
    public const int MaxActiveTargets = 5;
    public const int MinActiveTargetsAfterLoss = 3;
    public static readonly TimeSpan RecoveryTime = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(40);

    public AddressFamily Family { get; } = family;
    public bool IsV6 => Family == AddressFamily.InterNetworkV6;
    public string FamilyName => IsV6 ? "inet6" : "inet";

    /// <summary>The test address probes leave from; null: this family does not probe.</summary>
    public IpPrefix? TestAddress { get; set; }
    public List<ProbeTarget> Targets { get; } = [];
    public ProbeHistory History { get; } = new();

    /// <summary>Round-robin position: index into <see cref="Targets"/> of the next failure probe's target.</summary>
    private int _nextTarget;

    public TimeSpan? NextSendAt { get; private set; }
    private TimeSpan _base;
    public TimeSpan QuietUntil { get; set; }

    /// <summary>Slots sent since the FDT was raised; every n-th slot carries a failure probe, the others RTT probes.</summary>
    public long SlotCounter { get; set; }

    public long Sent { get; set; }
    public long Acked { get; set; }
    public long Lost { get; set; }
    public long Unknown { get; set; }

    public bool CanProbe => TestAddress is not null;
    public bool HasTargets => Targets.Count > 0;
    public bool HasRouterTargets => Targets.Any(t => t.Kind == TargetKind.Router);

    public TargetMode Mode => !CanProbe ? TargetMode.Disabled
        : HasRouterTargets ? TargetMode.Routes
        : TargetMode.Multicast;

    /// <summary>(Re)start the schedule: the first probe at a random point of one interval, so that
    /// interfaces do not probe in lock-step.</summary>
    public void StartSchedule(TimeSpan now, TimeSpan interval, Random random)
    {
        _base = now + Scale(interval, random.NextDouble());
        NextSendAt = _base;
    }

    public void StopSchedule() => NextSendAt = null;

    /// <summary>After a send: the next probe leaves at base + I + rand[0.5 I, 1.0 I]; base moves by exactly I.
    /// Slots missed because the timer ran late are skipped in whole intervals, not sent in a burst.</summary>
    public int ScheduleNext(TimeSpan now, TimeSpan interval, Random random)
    {
        var missed = 0;
        _base += interval;
        while (_base + interval < now)
        {
            _base += interval;
            missed++;
        }
        NextSendAt = _base + Scale(interval, 0.5 + random.NextDouble() * 0.5);
        return missed;
    }

    private static TimeSpan Scale(TimeSpan t, double f) => TimeSpan.FromTicks((long)(t.Ticks * f));

    public IEnumerable<ProbeTarget> ActiveTargets => Targets.Where(t => t.Status == TargetStatus.Active);

    /// <summary>The next ACTIVE target for a failure probe, advancing the round-robin pointer and doing the
    /// status promotions of illumos on the way (UNUSED→ACTIVE while fewer than 5 are active, SLOW→UNUSED and
    /// DEAD→SLOW after 60 s).</summary>
    public ProbeTarget? NextTarget(TimeSpan now)
    {
        if (Targets.Count == 0) return null;
        for (var step = 0; step < Targets.Count; step++)
        {
            var i = (_nextTarget + step) % Targets.Count;
            var t = Targets[i];
            Promote(t, now);
            if (t.Status != TargetStatus.Active) continue;
            _nextTarget = (i + 1) % Targets.Count;
            return t;
        }
        return null;
    }

    /// <summary>The active targets in firing order, starting with the next to be probed (ipmpstat -t).</summary>
    public IReadOnlyList<IPAddress> FiringOrder()
    {
        var list = new List<IPAddress>();
        for (var step = 0; step < Targets.Count; step++)
        {
            var t = Targets[(_nextTarget + step) % Targets.Count];
            if (t.Status == TargetStatus.Active) list.Add(t.Address);
        }
        return list;
    }

    private void Promote(ProbeTarget t, TimeSpan now)
    {
        switch (t.Status)
        {
            case TargetStatus.Unused when ActiveTargets.Count() < MaxActiveTargets:
                t.SetStatus(TargetStatus.Active, now);
                break;
            case TargetStatus.Slow when now - t.StatusSince >= RecoveryTime:
                t.SetStatus(TargetStatus.Unused, now);
                if (ActiveTargets.Count() < MaxActiveTargets) t.SetStatus(TargetStatus.Active, now);
                break;
            case TargetStatus.Dead when now - t.StatusSince >= RecoveryTime:
                t.SetStatus(TargetStatus.Slow, now);
                break;
        }
    }

    public ProbeTarget? FindTarget(IPAddress address) => Targets.FirstOrDefault(t => t.Address.Equals(address));

    /// <summary>Adds a target; beyond five active ones it waits as UNUSED.</summary>
    public ProbeTarget AddTarget(IPAddress address, TargetKind kind, TimeSpan now)
    {
        var t = new ProbeTarget(address, kind, now);
        if (ActiveTargets.Count() >= MaxActiveTargets) t.SetStatus(TargetStatus.Unused, now);
        Targets.Add(t);
        return t;
    }

    public void RemoveTarget(ProbeTarget target)
    {
        var i = Targets.IndexOf(target);
        if (i < 0) return;
        Targets.RemoveAt(i);
        if (i < _nextTarget) _nextTarget--;
        if (Targets.Count == 0 || _nextTarget >= Targets.Count) _nextTarget = 0;
        if (Targets.Count == 0) History.Clear();
    }

    /// <summary>When the last active router target goes, reactivate up to three others, best first.</summary>
    public void ReactivateAfterLoss(TimeSpan now)
    {
        if (ActiveTargets.Any()) return;
        var order = Targets.Where(t => t.Status == TargetStatus.Unused)
            .Concat(Targets.Where(t => t.Status == TargetStatus.Slow && now - t.StatusSince >= RecoveryTime))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Slow))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Dead && now - t.StatusSince >= RecoveryTime))
            .Concat(Targets.Where(t => t.Status == TargetStatus.Dead))
            .Distinct().Take(MinActiveTargetsAfterLoss).ToList();
        foreach (var t in order) t.SetStatus(TargetStatus.Active, now);
    }

    public void ResetRtt()
    {
        foreach (var t in Targets) t.Rtt.Reset();
    }

    /// <summary>The deadline of the newest unacked probe: start + CRTT of its target (the probe interval
    /// when the target has no estimate yet).</summary>
    public TimeSpan? LossDeadline(TimeSpan interval)
    {
        if (History.Count == 0) return null;
        ref var r = ref History.Recent(0);
        if (r.Status != ProbeRecordStatus.Unacked) return null;
        var crtt = r.Target!.Rtt.Crtt;
        return r.Start + (crtt > TimeSpan.Zero ? crtt : interval);
    }
}
