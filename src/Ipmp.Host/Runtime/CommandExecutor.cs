using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Ipmp.Core.Commands;
using Ipmp.Core.Engine;
using Ipmp.Core.Events;
using Ipmp.Core.Model;
using Ipmp.Host.Kernel;
using Ipmp.Linux;
using Ipmp.Linux.Announce;
using Ipmp.Linux.Netlink;
using Ipmp.Linux.Sysctl;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Runtime;

/// <summary>
/// Carries out the engine's commands on the event loop's thread, in the engine's order and at once: probes,
/// address adds and removes (on the loop's own netlink request socket: the kernel answers in
/// microseconds), announcements and member sysctls. Route work goes to the <see cref="RouteWorker"/>, so it
/// never stands in front of an address move. A move stays make-before-break: the remove of an address
/// whose add failed is not even tried. Every failure comes back to the engine as a <see cref="CommandFailed"/>
/// (it believes what really happened, and retries), and the time a probe left as <see cref="ProbeSent"/>.
/// </summary>
public sealed class CommandExecutor(
    IKernelLink netlink,
    KernelView view,
    ProbeSockets probes,
    TransitiveSockets transitive,
    RouteWorker? routes,
    AnnouncementSettings announce,
    ILinkActions link,
    EngineClock clock,
    ILogger logger)
{
    private readonly LogLimiterClock _limit = new(clock);
    private readonly HashSet<IpPrefix> _failedAdds = [];
    private readonly Dictionary<IPAddress, int> _announcedOn = [];
    private readonly PriorityQueue<Repeat, TimeSpan> _repeats = new();

    private sealed record Repeat(string Interface, int Index, PhysicalAddress Mac, IPAddress Address, int Left);

    public long Failures { get; private set; }

    /// <summary>When the next announcement repeat is due (the loop wakes for it).</summary>
    public TimeSpan? NextRepeat => _repeats.TryPeek(out _, out var due) ? due : null;

    /// <summary>Carries out <paramref name="output"/>; what the engine must learn from it goes to <paramref name="feedback"/>.</summary>
    public void Execute(EngineOutput output, List<NetworkEvent> feedback)
    {
        if (output.IsEmpty) return;
        _failedAdds.Clear();
        foreach (var command in output.Commands)
        {
            switch (command)
            {
                case SendProbe p:
                    if (probes.Send(p)) feedback.Add(new ProbeSent(new ProbeRef(p.Interface, p.Source, p.Sequence), clock.Now));
                    break;
                case SendTransitiveProbe t:
                    if (transitive.Send(t)) feedback.Add(new TransitiveProbeSent(t.Interface, t.Sequence, clock.Now));
                    break;
                case ListenTransitive l:
                    transitive.Listen(l);
                    break;
                case AddAddress a:
                    Add(a, feedback);
                    break;
                case RemoveAddress r:
                    Remove(r, feedback);
                    break;
                case AnnounceAddress an:
                    // The address did not arrive there: announcing it would send the link to the wrong MAC.
                    if (_failedAdds.Any(p => p.Address.Equals(an.Address))) break;
                    Announce(an);
                    break;
                case PrepareMember m:
                    PrepareMember(m);
                    break;
                case SetOutboundMembers o:
                    routes?.SetOutbound(o.Group, o.Members);
                    break;
            }
        }
    }

    private void Add(AddAddress a, List<NetworkEvent> feedback)
    {
        if (view.IndexOf(a.Interface) is not { } index)
        {
            Fail(a, "no such interface", feedback);
            _failedAdds.Add(a.Address);
            return;
        }
        try
        {
            netlink.AddAddress(index, a.Address.Address, a.Address.PrefixLength, new AddressOptions
            {
                // Test addresses are never chosen as a source; IPv6 addresses skip DAD so that a moved
                // address works at once (it was in use a moment ago, on this host).
                Deprecated = a.Role == AddressRole.Test,
                NoDad = a.Address.IsV6,
                NoPrefixRoute = !LoadSpreader.IsLinkLocal(a.Address),
                Label = a.Address.IsV6 ? null : a.Interface,
            });
        }
        catch (NetlinkException e) when (e.Errno == LinuxErrno.EEXIST)
        {
        }
        catch (Exception e) when (e is NetlinkException or TimeoutException or SocketException)
        {
            Fail(a, e.Message, feedback);
            _failedAdds.Add(a.Address);
        }
    }

    private void Remove(RemoveAddress r, List<NetworkEvent> feedback)
    {
        if (_failedAdds.Contains(r.Address))
        {
            // Make before break: without its new home the address stays where it is.
            Fail(r, "not removed: adding it elsewhere failed", feedback);
            return;
        }
        if (view.IndexOf(r.Interface) is not { } index) return;   // the interface is gone, and its addresses with it
        try
        {
            netlink.DeleteAddress(index, r.Address.Address, r.Address.PrefixLength);
        }
        catch (NetlinkException e) when (e.Errno is LinuxErrno.EADDRNOTAVAIL or LinuxErrno.ENODEV or LinuxErrno.ENOENT)
        {
        }
        catch (Exception e) when (e is NetlinkException or TimeoutException or SocketException)
        {
            Fail(r, e.Message, feedback);
        }
    }

    private void Fail(NetworkCommand command, string error, List<NetworkEvent> feedback)
    {
        Failures++;
        feedback.Add(new CommandFailed(command, error));
        if (_limit.Allow("command", out var suppressed))
            logger.LogError("{Command} failed: {Error}; the engine retries{Suppressed}", command, error, LogLimiterClock.Note(suppressed));
    }

    private void Announce(AnnounceAddress an)
    {
        if (view.IndexOf(an.Interface) is not { } index || view.MacOf(an.Interface) is not { } mac) return;
        _announcedOn[an.Address] = index;
        if (!Send(index, mac, an.Address, an.Interface)) return;
        if (announce.Count > 1) _repeats.Enqueue(new Repeat(an.Interface, index, mac, an.Address, announce.Count - 1), clock.Now + announce.Spacing);
    }

    /// <summary>On the loop, when <see cref="NextRepeat"/> is due.</summary>
    public void RunRepeats()
    {
        var now = clock.Now;
        while (_repeats.TryPeek(out var r, out var due) && due <= now)
        {
            _repeats.Dequeue();
            // Only while the address still lives there: a repeat from the NIC it just left would send the
            // link's neighbours back to the wrong MAC.
            if (view.IndexOf(r.Interface) != r.Index || !_announcedOn.TryGetValue(r.Address, out var latest) || latest != r.Index) continue;
            if (!Send(r.Index, r.Mac, r.Address, r.Interface)) continue;
            if (r.Left > 1) _repeats.Enqueue(r with { Left = r.Left - 1 }, due + announce.Spacing);
        }
    }

    private bool Send(int index, PhysicalAddress mac, IPAddress address, string ifName)
    {
        try
        {
            link.Announce(index, mac, address);
            return true;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            // ArgumentException: a link whose hardware address is not Ethernet's (no ARP to send).
            Failures++;
            if (_limit.Allow("announce", out var suppressed))
                logger.LogWarning("cannot announce {Address} on {Interface}: {Error}{Suppressed}", address, ifName, e.Message, LogLimiterClock.Note(suppressed));
            return false;
        }
    }

    private void PrepareMember(PrepareMember m)
    {
        try
        {
            link.PrepareMember(m.Interface);
        }
        catch (Exception e) when (e is SysctlException or IOException or UnauthorizedAccessException)
        {
            Failures++;
            if (_limit.Allow("sysctl", out var suppressed))
                logger.LogError("cannot prepare {Interface}: {Error}{Suppressed}", m.Interface, e.Message, LogLimiterClock.Note(suppressed));
        }
    }
}
