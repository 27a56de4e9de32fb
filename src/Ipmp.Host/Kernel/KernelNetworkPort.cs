using System.Net.Sockets;
using System.Threading.Channels;
using Ipmp.Core.Commands;
using Ipmp.Core.Model;
using Ipmp.Linux;
using Ipmp.Linux.Announce;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Sysctl;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Kernel;

/// <summary>
/// The engine's port onto the Linux kernel. Probes go out at once (their timing matters); address,
/// announcement, sysctl and route work is done in order by one worker, so a move stays
/// make-before-break: add on the new NIC, remove from the old, then announce.
/// </summary>
public sealed class KernelNetworkPort : INetworkPort, IAsyncDisposable
{
    private readonly RtNetlinkClient _client;
    private readonly KernelView _view;
    private readonly ProbeSockets _probes;
    private readonly LoadSpreader _spreader;
    private readonly AnnouncementSettings _announce;
    private readonly ILogger _logger;
    private readonly Channel<NetworkCommand> _work = Channel.CreateUnbounded<NetworkCommand>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<System.Net.IPAddress, int> _announcedOn = new();

    /// <param name="routing">What the route keeper needs of a group (networks, preferred sources, members).</param>
    public KernelNetworkPort(RtNetlinkClient client, KernelView view, ProbeSockets probes, AnnouncementSettings announce,
        Func<string, GroupRouting> routing, ILogger logger)
    {
        _client = client;
        _view = view;
        _probes = probes;
        _announce = announce;
        _logger = logger;
        _spreader = new LoadSpreader(client, view, routing, logger);
        _spreader.EnableLayer4Hashing();
        _worker = Task.Run(WorkAsync);
    }

    public long Failures { get; private set; }

    /// <summary>Routes changed (perhaps by someone else): make them match the active members again.</summary>
    public void RefreshRoutes() => _work.Writer.TryWrite(RouteSync.Instance);

    private sealed record RouteSync : NetworkCommand
    {
        public static readonly RouteSync Instance = new();
    }

    public LoadSpreader Routes => _spreader;

    public void Execute(NetworkCommand command)
    {
        if (command is SendProbe p) _probes.Send(p);
        else _work.Writer.TryWrite(command);
    }

    private async Task WorkAsync()
    {
        await foreach (var command in _work.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                await RunAsync(command, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NetlinkException or SocketException or SysctlException or IOException or TimeoutException)
            {
                Failures++;
                _logger.LogError("{Command} failed: {Error}", command, ex.Message);
            }
        }
    }

    private async Task RunAsync(NetworkCommand command, CancellationToken ct)
    {
        switch (command)
        {
            case AddAddress a when _view.IndexOf(a.Interface) is { } index:
                try
                {
                    await _client.AddAddressAsync(index, a.Address.Address, a.Address.PrefixLength, new AddressOptions
                    {
                        // Test addresses are never chosen as a source; IPv6 addresses skip DAD so that a moved
                        // address works at once (it was in use a moment ago, on this host).
                        Deprecated = a.Role == AddressRole.Test,
                        NoDad = a.Address.IsV6,
                        NoPrefixRoute = !LoadSpreader.IsLinkLocal(a.Address),
                        Label = a.Address.IsV6 ? null : a.Interface,
                    }, ct);
                }
                catch (NetlinkException e) when (e.Errno == LinuxErrno.EEXIST)
                {
                }
                break;
            case RemoveAddress r when _view.IndexOf(r.Interface) is { } index:
                try
                {
                    await _client.DeleteAddressAsync(index, r.Address.Address, r.Address.PrefixLength, ct);
                }
                catch (NetlinkException e) when (e.Errno is LinuxErrno.EADDRNOTAVAIL or LinuxErrno.ENODEV or LinuxErrno.ENOENT)
                {
                }
                break;
            case AnnounceAddress an when _view.IndexOf(an.Interface) is { } index && _view.MacOf(an.Interface) is { } mac:
                _announcedOn[an.Address] = index;
                Announce(index, mac, an);
                if (_announce.Count > 1) _ = RepeatAnnounceAsync(index, mac, an, ct);
                break;
            case PrepareMember m:
                MemberSysctls.Apply(m.Interface);
                break;
            case SetOutboundMembers o:
                await _spreader.ApplyAsync(o.Group, o.Members, ct);
                break;
            case RouteSync:
                await _spreader.SyncAsync(ct);
                break;
        }
    }

    private void Announce(int index, System.Net.NetworkInformation.PhysicalAddress mac, AnnounceAddress an)
    {
        if (an.Address.AddressFamily == AddressFamily.InterNetwork) GratuitousArp.Send(index, mac, an.Address);
        else UnsolicitedNeighborAdvertisement.Send(index, mac, an.Address);
    }

    private async Task RepeatAnnounceAsync(int index, System.Net.NetworkInformation.PhysicalAddress mac, AnnounceAddress an, CancellationToken ct)
    {
        try
        {
            for (var i = 1; i < _announce.Count; i++)
            {
                await Task.Delay(_announce.Spacing, ct);
                // Only while the address still lives there: a repeat from the NIC it just left would send the
                // link's neighbours back to the wrong MAC.
                if (_view.IndexOf(an.Interface) != index || !_announcedOn.TryGetValue(an.Address, out var latest) || latest != index) return;
                Announce(index, mac, an);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        // Let queued address work finish (a move half done is worse than a slow stop).
        try
        {
            await _worker.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
        }
        _stop.Cancel();
        _probes.Dispose();
    }
}
