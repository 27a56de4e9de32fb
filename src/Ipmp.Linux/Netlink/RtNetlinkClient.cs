using System.Net;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Request/response rtnetlink (NETLINK_ROUTE): dumps of links, addresses and routes, and address/route
/// changes. Requests are serialized on one socket and replies matched by sequence number and port id.
/// Every change is sent with NLM_F_ACK; a negative errno becomes a <see cref="NetlinkException"/>.
/// Create it on a thread in the wanted network namespace (see Namespaces.NetworkNamespace).
/// </summary>
public sealed class RtNetlinkClient : IDisposable
{
    private const int MaxDumpAttempts = 5;

    private readonly NetlinkSocket _socket;
    private readonly NetlinkMessageWriter _writer = new();
    private readonly SemaphoreSlim _lock = new(1, 1);
    private uint _seq = (uint)Environment.TickCount;

    private RtNetlinkClient(NetlinkSocket socket) => _socket = socket;

    public static RtNetlinkClient Create(int receiveBufferSize = 1 << 20) =>
        new(NetlinkSocket.Open(Nl.NETLINK_ROUTE, receiveBufferSize));

    public NetlinkCounters Counters { get; } = new();

    /// <summary>Upper bound on one request/reply exchange; the kernel answers in microseconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    // ---- synchronous forms, for a thread that owns its socket (the daemon's loop and route worker) ----

    public IReadOnlyList<LinkInfo> GetLinks() =>
        Request<LinkInfo>(Nl.RTM_GETLINK, Nl.NLM_F_DUMP, w => new ifinfomsg().Write(w.Reserve(ifinfomsg.Size)),
            RtNetlinkParser.TryParseLink, "dump links");

    public IReadOnlyList<AddressInfo> GetAddresses(AddressFamily family = AddressFamily.Unspecified) =>
        Request<AddressInfo>(Nl.RTM_GETADDR, Nl.NLM_F_DUMP,
            w => new ifaddrmsg(ToAf(family), 0, 0, 0, 0).Write(w.Reserve(ifaddrmsg.Size)),
            RtNetlinkParser.TryParseAddress, "dump addresses");

    public void AddAddress(int interfaceIndex, IPAddress address, int prefixLength, AddressOptions? options = null)
    {
        var (flags, body) = AddAddressRequest(interfaceIndex, address, prefixLength, options);
        Request<object>(Nl.RTM_NEWADDR, flags, body, null, $"add address {address}/{prefixLength} on {interfaceIndex}");
    }

    public void DeleteAddress(int interfaceIndex, IPAddress address, int prefixLength) =>
        Request<object>(Nl.RTM_DELADDR, 0, w => WriteAddressHeader(w, interfaceIndex, address, prefixLength, 0),
            null, $"delete address {address}/{prefixLength} on {interfaceIndex}");

    /// <summary>Routes of one family (Unspecified: both) and, when given, one table only: with strict
    /// checking on (NETLINK_GET_STRICT_CHK) the kernel filters the dump itself, so a large foreign table
    /// costs nothing.</summary>
    public IReadOnlyList<RouteInfo> GetRoutes(AddressFamily family = AddressFamily.Unspecified, uint? table = null) =>
        Request<RouteInfo>(Nl.RTM_GETROUTE, Nl.NLM_F_DUMP, w =>
            {
                var t = table is { } v && v < 256 ? (byte)v : Nl.RT_TABLE_UNSPEC;
                new rtmsg(ToAf(family), 0, 0, 0, t, 0, 0, 0, 0).Write(w.Reserve(rtmsg.Size));
                if (table is { } big && big >= 256) w.AddU32(Nl.RTA_TABLE, big);
            },
            RtNetlinkParser.TryParseRoute, "dump routes");

    public void AddRoute(RouteSpec route, bool replace = false) =>
        Request<object>(Nl.RTM_NEWROUTE, (ushort)(Nl.NLM_F_CREATE | (replace ? Nl.NLM_F_REPLACE : Nl.NLM_F_EXCL)),
            w => WriteRoute(w, route, delete: false), null, $"add route {route.Destination}/{route.PrefixLength}");

    // ---- links ----

    public Task<IReadOnlyList<LinkInfo>> GetLinksAsync(CancellationToken cancellationToken = default) =>
        RequestAsync<LinkInfo>(Nl.RTM_GETLINK, Nl.NLM_F_DUMP, w => new ifinfomsg().Write(w.Reserve(ifinfomsg.Size)),
            RtNetlinkParser.TryParseLink, "dump links", cancellationToken);

    /// <summary>One link by index (a non-dump GET); null when it does not exist.</summary>
    public async Task<LinkInfo?> GetLinkAsync(int index, CancellationToken cancellationToken = default)
    {
        try
        {
            var r = await RequestAsync<LinkInfo>(Nl.RTM_GETLINK, 0,
                w => new ifinfomsg(0, 0, index, 0, 0).Write(w.Reserve(ifinfomsg.Size)),
                RtNetlinkParser.TryParseLink, "get link", cancellationToken).ConfigureAwait(false);
            return r.Count > 0 ? r[0] : null;
        }
        catch (NetlinkException e) when (e.Errno == LinuxErrno.ENODEV)
        {
            return null;
        }
    }

    // ---- addresses ----

    /// <param name="family">Unspecified for both IPv4 and IPv6.</param>
    public Task<IReadOnlyList<AddressInfo>> GetAddressesAsync(AddressFamily family = AddressFamily.Unspecified,
        CancellationToken cancellationToken = default) =>
        RequestAsync<AddressInfo>(Nl.RTM_GETADDR, Nl.NLM_F_DUMP,
            w => new ifaddrmsg(ToAf(family), 0, 0, 0, 0).Write(w.Reserve(ifaddrmsg.Size)),
            RtNetlinkParser.TryParseAddress, "dump addresses", cancellationToken);

    public Task AddAddressAsync(int interfaceIndex, IPAddress address, int prefixLength,
        AddressOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (flags, body) = AddAddressRequest(interfaceIndex, address, prefixLength, options);
        return ChangeAsync(Nl.RTM_NEWADDR, flags, body, $"add address {address}/{prefixLength} on {interfaceIndex}", cancellationToken);
    }

    private static (ushort Flags, Action<NetlinkMessageWriter> Body) AddAddressRequest(int interfaceIndex, IPAddress address,
        int prefixLength, AddressOptions? options)
    {
        options ??= AddressOptions.Default;
        var flags = (ushort)(Nl.NLM_F_CREATE | (options.Replace ? Nl.NLM_F_REPLACE : Nl.NLM_F_EXCL));
        var ifaFlags = (options.NoDad ? AddressFlags.NoDad : 0) | (options.NoPrefixRoute ? AddressFlags.NoPrefixRoute : 0);
        return (flags, w =>
        {
            WriteAddressHeader(w, interfaceIndex, address, prefixLength, (byte)((uint)ifaFlags & 0xFF));
            if (options.Broadcast is not null) w.AddAddress(Nl.IFA_BROADCAST, options.Broadcast);
            if (options.Label is not null) w.AddString(Nl.IFA_LABEL, options.Label);
            // Flags above 0xff (NOPREFIXROUTE) exist only in the u32 attribute.
            w.AddU32(Nl.IFA_FLAGS, (uint)ifaFlags);
            if (options.Deprecated || options.PreferredLifetime is not null || options.ValidLifetime is not null)
            {
                // preferred_lft 0 is how the kernel marks an address deprecated (IFA_F_DEPRECATED).
                var preferred = options.Deprecated ? 0 : options.PreferredLifetime ?? AddressInfo.Infinite;
                var valid = options.ValidLifetime ?? AddressInfo.Infinite;
                new ifa_cacheinfo(preferred, valid, 0, 0).Write(w.ReserveAttribute(Nl.IFA_CACHEINFO, ifa_cacheinfo.Size));
            }
        });
    }

    public Task DeleteAddressAsync(int interfaceIndex, IPAddress address, int prefixLength,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(Nl.RTM_DELADDR, 0, w => WriteAddressHeader(w, interfaceIndex, address, prefixLength, 0),
            $"delete address {address}/{prefixLength} on {interfaceIndex}", cancellationToken);

    private static void WriteAddressHeader(NetlinkMessageWriter w, int index, IPAddress address, int prefixLength, byte flags)
    {
        var af = NetlinkMessageWriter.FamilyOf(address);
        new ifaddrmsg(af, (byte)prefixLength, flags, 0, index).Write(w.Reserve(ifaddrmsg.Size));
        // IFA_LOCAL is "my address" for IPv4 (IFA_ADDRESS would be a peer); IPv6 uses IFA_ADDRESS.
        if (af == Nl.AF_INET) w.AddAddress(Nl.IFA_LOCAL, address);
        w.AddAddress(Nl.IFA_ADDRESS, address);
    }

    // ---- routes ----

    /// <summary>All routes of all tables (main, local, policy tables) for the family; Unspecified = both.</summary>
    public Task<IReadOnlyList<RouteInfo>> GetRoutesAsync(AddressFamily family = AddressFamily.Unspecified,
        CancellationToken cancellationToken = default) =>
        GetRoutesAsync(family, 0, cancellationToken);

    /// <summary>
    /// The routes of one table (e.g. <see cref="RouteInfo.MainTable"/>) for the family; table 0 = every table.
    /// The kernel filters the dump itself (the socket sets NETLINK_GET_STRICT_CHK, Linux 4.20+): routes of other
    /// tables are never even sent. On a kernel that ignores the filter, they are dropped here (and counted in
    /// <see cref="NetlinkCounters.UnexpectedMessages"/>).
    /// </summary>
    public async Task<IReadOnlyList<RouteInfo>> GetRoutesAsync(AddressFamily family, uint table,
        CancellationToken cancellationToken = default)
    {
        var routes = await RequestAsync<RouteInfo>(Nl.RTM_GETROUTE, Nl.NLM_F_DUMP, w =>
        {
            // Tables above 255 exist only in RTA_TABLE (which overrides rtm_table in the kernel's filter).
            new rtmsg(ToAf(family), 0, 0, 0, table is > 0 and < 256 ? (byte)table : Nl.RT_TABLE_UNSPEC, 0, 0, 0, 0)
                .Write(w.Reserve(rtmsg.Size));
            if (table >= 256) w.AddU32(Nl.RTA_TABLE, table);
        }, RtNetlinkParser.TryParseRoute, table == 0 ? "dump routes" : $"dump routes of table {table}",
            cancellationToken).ConfigureAwait(false);
        if (table == 0 || routes.All(r => r.Table == table)) return routes;
        foreach (var _ in routes.Where(r => r.Table != table)) Counters.Unexpected();
        return [.. routes.Where(r => r.Table == table)];
    }

    /// <summary>The route the kernel would use to reach <paramref name="destination"/> (ip route get).</summary>
    public async Task<RouteInfo?> LookupRouteAsync(IPAddress destination, CancellationToken cancellationToken = default)
    {
        var af = NetlinkMessageWriter.FamilyOf(destination);
        var r = await RequestAsync<RouteInfo>(Nl.RTM_GETROUTE, 0, w =>
        {
            new rtmsg(af, (byte)(af == Nl.AF_INET ? 32 : 128), 0, 0, 0, 0, 0, 0, 0).Write(w.Reserve(rtmsg.Size));
            w.AddAddress(Nl.RTA_DST, destination);
            if (af == Nl.AF_INET6 && destination.ScopeId != 0) w.AddU32(Nl.RTA_OIF, (uint)destination.ScopeId);
        }, RtNetlinkParser.TryParseRoute, $"lookup route {destination}", cancellationToken).ConfigureAwait(false);
        return r.Count > 0 ? r[0] : null;
    }

    /// <param name="replace">NLM_F_REPLACE: overwrite an existing route instead of failing with EEXIST.</param>
    public Task AddRouteAsync(RouteSpec route, bool replace = false, CancellationToken cancellationToken = default) =>
        ChangeAsync(Nl.RTM_NEWROUTE, (ushort)(Nl.NLM_F_CREATE | (replace ? Nl.NLM_F_REPLACE : Nl.NLM_F_EXCL)),
            w => WriteRoute(w, route, delete: false), $"add route {route.Destination}/{route.PrefixLength}", cancellationToken);

    /// <summary>Deletes the route matching the given fields (unset fields match anything, as with ip route del).</summary>
    public Task DeleteRouteAsync(RouteSpec route, CancellationToken cancellationToken = default) =>
        ChangeAsync(Nl.RTM_DELROUTE, 0, w => WriteRoute(w, route, delete: true),
            $"delete route {route.Destination}/{route.PrefixLength}", cancellationToken);

    internal static void WriteRoute(NetlinkMessageWriter w, RouteSpec route, bool delete)
    {
        var af = NetlinkMessageWriter.FamilyOf(route.Destination);
        var multipath = route.NextHops is { Count: > 0 } && route.NextHopId is null;
        var scope = delete
            ? route.Scope ?? RouteScope.Nowhere // Nowhere matches any scope on delete.
            : route.Scope ?? (route.Gateway is null && !multipath && route.NextHopId is null && af == Nl.AF_INET ? RouteScope.Link : RouteScope.Universe);
        var table = route.Table < 256 ? (byte)route.Table : (byte)252; // RT_TABLE_COMPAT; RTA_TABLE holds the real one.
        new rtmsg(af, (byte)route.PrefixLength, 0, 0, table,
            delete ? (byte)0 : (byte)route.Protocol, (byte)scope, (byte)route.Type, 0).Write(w.Reserve(rtmsg.Size));
        w.AddU32(Nl.RTA_TABLE, route.Table);
        if (route.PrefixLength > 0) w.AddAddress(Nl.RTA_DST, route.Destination);
        if (route.NextHopId is { } nhid)
        {
            // The nexthop object holds device, gateway and paths.
            w.AddU32(Nl.RTA_NH_ID, nhid);
            if (route.Priority is { } p) w.AddU32(Nl.RTA_PRIORITY, p);
            if (route.PreferredSource is not null) w.AddAddress(Nl.RTA_PREFSRC, route.PreferredSource);
            return;
        }
        if (route.Gateway is not null) w.AddAddress(Nl.RTA_GATEWAY, route.Gateway);
        // A link-local gateway is meaningless without its interface; take it from the scope id if not given.
        var oif = route.OutputInterface != 0 ? route.OutputInterface
            : route.Gateway is { IsIPv6LinkLocal: true, ScopeId: > 0 } g ? (int)g.ScopeId : 0;
        if (oif != 0) w.AddU32(Nl.RTA_OIF, (uint)oif);
        if (route.Priority is { } prio) w.AddU32(Nl.RTA_PRIORITY, prio);
        if (route.PreferredSource is not null) w.AddAddress(Nl.RTA_PREFSRC, route.PreferredSource);
        if (!multipath) return;
        var nest = w.BeginNested(Nl.RTA_MULTIPATH);
        foreach (var hop in route.NextHops!)
        {
            if (hop.Weight is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(route), "next-hop weight must be 1..256");
            var start = w.Position;
            w.Reserve(rtnexthop.Size);
            if (hop.Gateway is not null) w.AddAddress(Nl.RTA_GATEWAY, hop.Gateway);
            // rtnh_len covers the rtnexthop and its attributes; known only now.
            new rtnexthop((ushort)(w.Position - start), hop.Flags, (byte)(hop.Weight - 1), hop.InterfaceIndex)
                .Write(w.Slice(start, rtnexthop.Size));
        }
        w.EndNested(nest);
    }

    // ---- nexthop objects (Linux 5.3+) ----

    /// <summary>Every nexthop object and group (ip nexthop show). Kernels without nexthop objects answer
    /// with an error (EOPNOTSUPP or EINVAL), thrown as a <see cref="NetlinkException"/>.</summary>
    public Task<IReadOnlyList<NextHopInfo>> GetNextHopsAsync(CancellationToken cancellationToken = default) =>
        RequestAsync<NextHopInfo>(Nl.RTM_GETNEXTHOP, Nl.NLM_F_DUMP, w => new nhmsg().Write(w.Reserve(nhmsg.Size)),
            RtNetlinkParser.TryParseNextHop, "dump nexthops", cancellationToken);

    /// <param name="replace">NLM_F_REPLACE: change an existing object in place (a group's members, say);
    /// routes using it follow without being rewritten.</param>
    public Task AddNextHopAsync(NextHopSpec nexthop, bool replace = false, CancellationToken cancellationToken = default) =>
        ChangeAsync(Nl.RTM_NEWNEXTHOP, (ushort)(Nl.NLM_F_CREATE | (replace ? Nl.NLM_F_REPLACE : Nl.NLM_F_EXCL)),
            w => WriteNextHop(w, nexthop), $"add nexthop {nexthop.Id}", cancellationToken);

    /// <summary>Deletes a nexthop object. Careful: routes using it (directly, not through a group) go with it.</summary>
    public Task DeleteNextHopAsync(uint id, CancellationToken cancellationToken = default) =>
        ChangeAsync(Nl.RTM_DELNEXTHOP, 0, w =>
        {
            new nhmsg().Write(w.Reserve(nhmsg.Size));
            w.AddU32(Nl.NHA_ID, id);
        }, $"delete nexthop {id}", cancellationToken);

    internal static void WriteNextHop(NetlinkMessageWriter w, NextHopSpec nh)
    {
        if (nh.Id == 0) throw new ArgumentOutOfRangeException(nameof(nh), "nexthop id 0 means \"kernel picks\"; give one");
        var group = nh.Group is { Count: > 0 };
        var af = group ? Nl.AF_UNSPEC : nh.Gateway is not null ? NetlinkMessageWriter.FamilyOf(nh.Gateway) : ToAf(nh.Family);
        new nhmsg(af, 0, (byte)nh.Protocol, 0, 0).Write(w.Reserve(nhmsg.Size));
        w.AddU32(Nl.NHA_ID, nh.Id);
        if (group)
        {
            var entries = w.ReserveAttribute(Nl.NHA_GROUP, 8 * nh.Group!.Count);
            entries.Clear();
            for (var i = 0; i < nh.Group.Count; i++)
            {
                var m = nh.Group[i];
                if (m.Weight is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(nh), "group member weight must be 1..256");
                HostOrder.WriteU32(entries[(8 * i)..], m.Id);
                entries[8 * i + 4] = (byte)(m.Weight - 1);
            }
            var type = w.ReserveAttribute(Nl.NHA_GROUP_TYPE, 2);
            HostOrder.WriteU16(type, Nl.NEXTHOP_GRP_TYPE_MPATH);
            return;
        }
        if (nh.OutputInterface != 0) w.AddU32(Nl.NHA_OIF, (uint)nh.OutputInterface);
        if (nh.Gateway is not null) w.AddAddress(Nl.NHA_GATEWAY, nh.Gateway);
    }

    // ---- plumbing ----

    private static byte ToAf(AddressFamily family) => family switch
    {
        AddressFamily.Unspecified => Nl.AF_UNSPEC,
        AddressFamily.InterNetwork => Nl.AF_INET,
        AddressFamily.InterNetworkV6 => Nl.AF_INET6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPv4, IPv6 or Unspecified"),
    };

    private async Task ChangeAsync(ushort type, ushort flags, Action<NetlinkMessageWriter> body, string operation,
        CancellationToken cancellationToken) =>
        await RequestAsync<object>(type, flags, body, null, operation, cancellationToken).ConfigureAwait(false);

    internal delegate bool PayloadParser<T>(ReadOnlySpan<byte> payload, NetlinkCounters counters, out T? value);

    /// <summary>
    /// Sends one request and collects its replies. Dumps end with NLMSG_DONE (restarted if the kernel
    /// flags NLM_F_DUMP_INTR: the table changed mid-dump). Everything else is sent with NLM_F_ACK, so it
    /// ends with an NLMSG_ERROR: a non-dump GET gets no NLMSG_DONE, only its reply followed by the ACK.
    /// </summary>
    private async Task<IReadOnlyList<T>> RequestAsync<T>(ushort type, ushort flags, Action<NetlinkMessageWriter> body,
        PayloadParser<T>? parser, string operation, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await _lock.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var state = Send(type, flags, body, parser);
                while (!state.Finished)
                {
                    ReadOnlyMemory<byte> datagram;
                    try
                    {
                        datagram = await _socket.ReceiveAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new TimeoutException($"{operation}: no netlink reply within {Timeout}");
                    }
                    Consume(datagram.Span, state);
                }
                if (Completed(state, attempt, operation)) return state.Results;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The blocking form of <see cref="RequestAsync{T}"/>: the calling thread waits for the reply
    /// (the kernel answers in microseconds; <see cref="Timeout"/> bounds it).</summary>
    private IReadOnlyList<T> Request<T>(ushort type, ushort flags, Action<NetlinkMessageWriter> body,
        PayloadParser<T>? parser, string operation)
    {
        var deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        if (!_lock.Wait(Timeout)) throw new TimeoutException($"{operation}: the netlink socket stayed busy for {Timeout}");
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var state = Send(type, flags, body, parser);
                while (!state.Finished)
                {
                    var left = deadline - Environment.TickCount64;
                    if (left <= 0 || _socket.Receive(TimeSpan.FromMilliseconds(left)) is not { } datagram)
                        throw new TimeoutException($"{operation}: no netlink reply within {Timeout}");
                    Consume(datagram.Span, state);
                }
                if (Completed(state, attempt, operation)) return state.Results;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes and sends one request (dumps without an ACK, everything else with one).</summary>
    private ReplyState<T> Send<T>(ushort type, ushort flags, Action<NetlinkMessageWriter> body, PayloadParser<T>? parser)
    {
        var dump = (flags & Nl.NLM_F_DUMP) == Nl.NLM_F_DUMP;
        var seq = unchecked(++_seq);
        _writer.Reset();
        _writer.BeginMessage(type, (ushort)(flags | Nl.NLM_F_REQUEST | (dump ? 0 : Nl.NLM_F_ACK)));
        body(_writer);
        _writer.EndMessage(seq, 0);
        _socket.Send(_writer.Written);
        return new ReplyState<T>(seq, parser);
    }

    /// <summary>After the last reply: the kernel's error as an exception; false when an interrupted dump
    /// should be asked again.</summary>
    private static bool Completed<T>(ReplyState<T> state, int attempt, string operation)
    {
        if (state.Errno != 0) throw new NetlinkException(state.Errno, state.ExtAck, operation);
        return !(state.Interrupted && attempt < MaxDumpAttempts);
    }

    private sealed class ReplyState<T>(uint seq, PayloadParser<T>? parser)
    {
        public uint Seq { get; } = seq;
        public PayloadParser<T>? Parser { get; } = parser;
        public List<T> Results { get; } = [];
        public bool Finished { get; set; }
        public bool Interrupted { get; set; }
        public int Errno { get; set; }
        public string? ExtAck { get; set; }
    }

    private void Consume<T>(ReadOnlySpan<byte> datagram, ReplyState<T> state)
    {
        var reader = new NetlinkMessageReader(datagram, Counters);
        while (!state.Finished && reader.TryRead(out var h, out var payload))
        {
            // Leftovers of an earlier request that timed out or was cancelled.
            if (h.nlmsg_seq != state.Seq || (h.nlmsg_pid != 0 && h.nlmsg_pid != _socket.PortId))
            {
                Counters.Unexpected();
                continue;
            }
            if ((h.nlmsg_flags & Nl.NLM_F_DUMP_INTR) != 0) state.Interrupted = true;
            switch (h.nlmsg_type)
            {
                case Nl.NLMSG_NOOP:
                    break;
                case Nl.NLMSG_ERROR or Nl.NLMSG_DONE:
                    state.Finished = true;
                    if (h.nlmsg_type == Nl.NLMSG_DONE && payload.Length < 4) break; // old kernels: empty DONE
                    if (RtNetlinkParser.TryParseError(h, payload, Counters, out var errno, out var ext))
                    {
                        state.Errno = errno;
                        state.ExtAck = ext;
                    }
                    else
                    {
                        state.Errno = (int)LinuxErrno.EIO; // an ACK we cannot read: fail rather than guess.
                    }
                    break;
                default:
                    if (state.Parser is null) Counters.Unexpected();
                    else if (state.Parser(payload, Counters, out var value) && value is not null) state.Results.Add(value);
                    break;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _lock.Dispose();
    }
}
