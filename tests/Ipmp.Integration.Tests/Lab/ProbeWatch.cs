using Ipmp.Core.Status;
using Ipmp.Host.Control;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests.Lab;

/// <summary>Waits until every named NIC has had a probe answered: its quiet period (40 s after probing
/// starts, ended by the first answer) is over, so a failure from now on is detected within FDT.</summary>
internal static class ProbeWatch
{
    public static async Task UntilAnsweredAsync(NamespaceLab lab, params string[] nics)
    {
        var client = new ControlClient(lab.SocketPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var sub = await client.SubscribeAsync(probes: true, changes: false, cts.Token);
        var pending = nics.ToHashSet();
        await foreach (var e in sub.ReadAllAsync(cts.Token))
        {
            if (e.Probe is { State: ProbeEventState.Acked } p) pending.Remove(p.Interface);
            if (pending.Count == 0) return;
        }
    }
}
