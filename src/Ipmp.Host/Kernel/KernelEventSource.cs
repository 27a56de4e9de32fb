using System.Collections.Immutable;
using System.Net.Sockets;
using Ipmp.Core.Events;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging;
using Nl = Ipmp.Linux.Netlink;

namespace Ipmp.Host.Kernel;

/// <summary>
/// Turns rtnetlink into engine events: a full dump at start, then link, address and route notifications as
/// they happen (never polled). Lost notifications (ENOBUFS) and a periodic 20 s rescan, as in.mpathd does,
/// produce a fresh full snapshot. Route changes are coalesced into one table dump per family.
/// </summary>
public sealed class KernelEventSource(RtNetlinkClient client, KernelView view, Action<NetworkEvent> post, ILogger logger)
    : IDisposable
{
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RouteCoalesce = TimeSpan.FromMilliseconds(20);

    private readonly RtNetlinkMonitor _monitor = RtNetlinkMonitor.Create();
    private int _routeDumpPending;

    public long Overruns { get; private set; }

    /// <summary>Dumps links, addresses and routes: the first events the engine sees. The monitor is
    /// already subscribed, so nothing that happens during the dump is lost.</summary>
    public async Task<IReadOnlyList<NetworkEvent>> DumpAsync(CancellationToken ct)
    {
        var links = await client.GetLinksAsync(ct);
        view.Replace(links);
        var addresses = await client.GetAddressesAsync(AddressFamily.Unspecified, ct);
        var snapshot = new NetworkSnapshot(
            [.. links.Select(KernelTranslation.Link)],
            [.. addresses.Where(KernelTranslation.Usable).Select(a => KernelTranslation.Address(a, view)).OfType<Ipmp.Core.Events.AddressInfo>()]);
        return [snapshot, .. await RoutesAsync(ct)];
    }

    private async Task<NetworkEvent[]> RoutesAsync(CancellationToken ct)
    {
        var routes = await client.GetRoutesAsync(AddressFamily.Unspecified, ct);
        return
        [
            new RoutesObserved(AddressFamily.InterNetwork, KernelTranslation.Routes(routes, AddressFamily.InterNetwork, view)),
            new RoutesObserved(AddressFamily.InterNetworkV6, KernelTranslation.Routes(routes, AddressFamily.InterNetworkV6, view)),
        ];
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var rescan = new PeriodicTimer(RescanInterval);
        var rescanTask = RescanLoopAsync(rescan, ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var e = await _monitor.ReceiveAsync(ct);
                switch (e)
                {
                    case LinkEvent { Change: RtNetlinkChange.New } l:
                        view.Update(l.Link);
                        post(new LinkObserved(KernelTranslation.Link(l.Link)));
                        break;
                    case LinkEvent { Change: RtNetlinkChange.Deleted } l:
                        view.Remove(l.Link);
                        post(new LinkRemoved(l.Link.Name));
                        break;
                    case AddressEvent a:
                        if (KernelTranslation.Address(a.Address, view) is not { } info) break;
                        if (a.Change == RtNetlinkChange.Deleted || !KernelTranslation.Usable(a.Address))
                            post(new AddressRemoved(info.Interface, info.Address));
                        else
                            post(new AddressObserved(info));
                        break;
                    case RouteEvent:
                        ScheduleRouteDump(ct);
                        break;
                    case OverrunEvent:
                        Overruns++;
                        logger.LogWarning("netlink notifications were lost (ENOBUFS); resynchronising from a full dump");
                        await ResyncAsync(ct);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await rescanTask;
    }

    private async Task RescanLoopAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct)) await ResyncAsync(ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        try
        {
            foreach (var e in await DumpAsync(ct)) post(e);
        }
        catch (Exception ex) when (ex is NetlinkException or SocketException or TimeoutException)
        {
            logger.LogError(ex, "netlink resynchronisation failed; retrying at the next rescan");
        }
    }

    private void ScheduleRouteDump(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _routeDumpPending, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(RouteCoalesce, ct);
                Volatile.Write(ref _routeDumpPending, 0);
                foreach (var e in await RoutesAsync(ct)) post(e);
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex) when (ex is NetlinkException or SocketException or TimeoutException)
            {
                Volatile.Write(ref _routeDumpPending, 0);
                logger.LogError(ex, "route dump failed");
            }
        }, ct);
    }

    public void Dispose() => _monitor.Dispose();
}
