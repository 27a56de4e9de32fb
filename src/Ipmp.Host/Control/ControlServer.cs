using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;

namespace Ipmp.Host.Control;

/// <summary>
/// The daemon's control socket: a Unix stream socket, one request per connection (a subscription keeps its
/// connection for the event stream). Anyone may ping and take snapshots; offline, online, reload and probe
/// subscriptions need uid 0 (SO_PEERCRED). A bad, slow or vanished client only ever costs its own
/// connection. <see cref="Dispose"/> stops serving and removes the socket file.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private const int Backlog = 30;   // as in.mpathd

    private readonly IControlHandler _handler;
    private readonly ControlServerOptions _options;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _connections = new();
    private readonly Task _acceptLoop;
    private int _active;
    private int _subscribers;
    private int _disposed;

    private ControlServer(IControlHandler handler, ControlServerOptions options, string path, Socket listener)
    {
        _handler = handler;
        _options = options;
        SocketPath = path;
        _listener = listener;
        if (options.Watcher is { } watcher)
        {
            // The loop accepts; this task only says when the server was disposed.
            _listener.Blocking = false;
            _acceptLoop = _accepting.Task;
            watcher.Watch((int)_listener.Handle, AcceptPending);
        }
        else
        {
            _acceptLoop = Task.Run(AcceptLoopAsync);
        }
    }

    /// <summary>Ends only when the server is disposed (or fails): its owner watches it.</summary>
    public Task AcceptLoop => _acceptLoop;

    private readonly TaskCompletionSource _accepting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connections accepted at most per readiness report: the loop has other work.</summary>
    internal const int AcceptBudget = 8;

    /// <summary>On the watcher's loop when the listener is readable: accepts what is pending (up to
    /// <see cref="AcceptBudget"/>; level-triggered readiness brings the loop back for the rest).</summary>
    private void AcceptPending()
    {
        for (var i = 0; i < AcceptBudget && Volatile.Read(ref _disposed) == 0; i++)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // e.g. EMFILE: the listener stays readable; do not spin the loop on it.
                Log($"accept failed: {e.Message}");
                _options.Watcher!.Snooze((int)_listener.Handle, TimeSpan.FromMilliseconds(50));
                return;
            }
            client.Blocking = true;
            Admit(client);
        }
    }

    /// <summary>The absolute path of the socket file.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Creates the socket's directory (0755) if needed, replaces a stale socket file, binds (mode 0666) and
    /// starts serving. Throws <see cref="ControlServerException"/> if a daemon already answers on the path
    /// or the path holds something other than a socket.
    /// </summary>
    public static ControlServer Start(IControlHandler handler, ControlServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(options);
        string path = Path.GetFullPath(options.SocketPath);
        Socket? listener = null;
        try
        {
            PrepareDirectory(path);
            RemoveStaleSocket(path, options.Log);
            listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(path, Mode0666);
            listener.Listen(Backlog);
            return new ControlServer(handler, options, path, listener);
        }
        catch (Exception e) when (e is not ControlServerException)
        {
            listener?.Dispose();
            throw new ControlServerException($"cannot listen on {path}: {e.Message}", e);
        }
    }

    private const UnixFileMode Mode0755 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private const UnixFileMode Mode0666 = UnixFileMode.UserRead | UnixFileMode.UserWrite |
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private static void PrepareDirectory(string path)
    {
        string dir = Path.GetDirectoryName(path) ?? "/";
        if (Directory.Exists(dir))
            return;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dir);
            return;
        }
        Directory.CreateDirectory(dir, Mode0755);
        File.SetUnixFileMode(dir, Mode0755);   // CreateDirectory's mode is filtered by the umask
    }

    private static void RemoveStaleSocket(string path, Action<string>? log)
    {
        switch (UnixPathKind.Of(path))
        {
            case UnixPathKind.Kind.Missing:
                return;
            case UnixPathKind.Kind.Other:
                throw new ControlServerException($"cannot listen on {path}: it exists and is not a socket");
        }
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new ControlServerException($"another daemon is already listening on {path}");
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // nobody listens: a leftover of a daemon that died
            }
        }
        File.Delete(path);
        log?.Invoke($"removed stale control socket {path}");
    }

    private async Task AcceptLoopAsync()
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (stop.IsCancellationRequested)
                    return;
                Log($"accept failed: {e.Message}");
                await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);   // e.g. EMFILE: do not spin
                continue;
            }

            Admit(client);
        }
    }

    /// <summary>Serves <paramref name="client"/> on a task of its own (which catches and logs everything,
    /// and is tracked in <see cref="_connections"/> until it ends), or refuses it when the pool is full.</summary>
    private void Admit(Socket client)
    {
        // Root is always served, so that unprivileged clients hogging connections cannot lock out an offline.
        PeerCredentials peer = PeerCredentials.Of(client);
        if (Interlocked.Increment(ref _active) > _options.MaxConnections && !peer.IsRoot)
        {
            Interlocked.Decrement(ref _active);
            Log($"too many control connections ({_options.MaxConnections}); closing one from {Describe(peer)}");
            client.Dispose();
            return;
        }
        _connections.TryAdd(client, 0);
        _ = Task.Run(() => ServeAsync(client, peer));
    }

    /// <summary>Per connection: whether it moved from the request pool to the subscriber pool.</summary>
    private sealed class ConnectionState
    {
        public bool Streaming;
    }

    private async Task ServeAsync(Socket socket, PeerCredentials peer)
    {
        var state = new ConnectionState();
        try
        {
            await ServeCoreAsync(socket, peer, state).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the client went away, or we are stopping
        }
        catch (Exception e)
        {
            Log($"control connection failed: {e}");
        }
        finally
        {
            _connections.TryRemove(socket, out _);
            socket.Dispose();
            Interlocked.Decrement(ref state.Streaming ? ref _subscribers : ref _active);
        }
    }

    private async Task ServeCoreAsync(Socket socket, PeerCredentials peer, ConnectionState state)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        deadline.CancelAfter(_options.RequestTimeout);
        CancellationToken ct = deadline.Token;

        ControlRequest request;
        try
        {
            byte[]? body = await ControlFrame.ReadAsync(stream, ct).ConfigureAwait(false);
            if (body is null)
                return;   // connected and closed without a word (e.g. a liveness check)
            request = ControlCodec.DecodeRequest(body);
        }
        catch (FormatException e)
        {
            Log($"bad control request from {Describe(peer)}: {e.Message}");
            await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.InvalidArgument, e.Message)).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log($"control request from {Describe(peer)} timed out");
            await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.Failure, "request timed out")).ConfigureAwait(false);
            return;
        }

        if (NeedsRoot(request) && !peer.IsRoot)
        {
            string what = request.Op == ControlProtocol.Ops.Subscribe ? "probe events" : request.Op;
            Log($"refused {request.Op} from {Describe(peer)}: insufficient privileges");
            await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.Failure, $"insufficient privileges for {what}", ControlProtocol.EPERM))
                .ConfigureAwait(false);
            return;
        }

        if (request.Op == ControlProtocol.Ops.Subscribe)
        {
            // A subscription leaves the pool of short requests for its own, so that long-lived watchers
            // never use up the connections that pings and offlines need.
            // A few slots are root's alone: unprivileged watchers filling the pool must not lock out ipmpstat -p.
            var limit = peer.IsRoot ? _options.MaxSubscribers : _options.MaxSubscribers - _options.MaxSubscribers / 8;
            if (Interlocked.Increment(ref _subscribers) > limit)
            {
                Interlocked.Decrement(ref _subscribers);
                Log($"refused subscribe from {Describe(peer)}: too many subscribers ({_options.MaxSubscribers})");
                await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.Failure, "too many subscribers")).ConfigureAwait(false);
                return;
            }
            Interlocked.Decrement(ref _active);
            state.Streaming = true;
            await SubscribeAsync(socket, stream, request, peer, ct).ConfigureAwait(false);
            return;
        }

        ReplyDto reply;
        try
        {
            reply = await HandleAsync(request, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            Log($"{request.Op} from {Describe(peer)} timed out");
            await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.Failure, "request timed out")).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log($"{request.Op} from {Describe(peer)} failed: {e}");
            reply = ControlCodec.ErrorReply(IpmpError.Failure, $"{request.Op} failed: {e.Message}");
        }
        await WriteAsync(stream, ControlCodec.EncodeReply(reply), ct).ConfigureAwait(false);
    }

    private static bool NeedsRoot(ControlRequest r) => r.Op switch
    {
        ControlProtocol.Ops.Offline or ControlProtocol.Ops.Online or ControlProtocol.Ops.Reload => true,
        ControlProtocol.Ops.Subscribe => r.Probes,
        _ => false,
    };

    private async Task<ReplyDto> HandleAsync(ControlRequest request, CancellationToken ct)
    {
        switch (request.Op)
        {
            case ControlProtocol.Ops.Ping:
            {
                ReplyDto reply = ControlCodec.SuccessReply();
                reply.Pid = Environment.ProcessId;
                reply.Now = ControlMapper.Ms(_handler.Now);
                return reply;
            }
            case ControlProtocol.Ops.Snapshot:
            {
                IpmpSnapshot snapshot = await _handler.SnapshotAsync(ct).ConfigureAwait(false);
                ReplyDto reply = ControlCodec.SuccessReply();
                reply.Snapshot = ControlMapper.ToDto(snapshot);
                return reply;
            }
            case ControlProtocol.Ops.Offline:
                return AdminReply(await _handler.OfflineAsync(request.Interface!, request.MinRedundancy, ct).ConfigureAwait(false));
            case ControlProtocol.Ops.Online:
                return AdminReply(await _handler.OnlineAsync(request.Interface!, ct).ConfigureAwait(false));
            case ControlProtocol.Ops.Reload:
            {
                ReloadResult result = await _handler.ReloadAsync(ct).ConfigureAwait(false);
                ReplyDto reply = result.Ok
                    ? ControlCodec.SuccessReply()
                    : ControlCodec.ErrorReply(IpmpError.Failure, "configuration not applied; the previous configuration stays in effect");
                if (result.Ok)
                    reply.Message = "configuration reloaded";
                reply.Applied = result.Ok;
                reply.Diagnostics = result.Diagnostics.IsDefault ? [] : [.. result.Diagnostics];
                return reply;
            }
            default:
                throw new InvalidOperationException("unreachable: " + request.Op);
        }
    }

    private static ReplyDto AdminReply(AdminResult result) => new()
    {
        Ok = result.Ok,
        Error = (int)result.Error,
        Message = result.Message,
    };

    // ---- subscriptions ----

    private async Task SubscribeAsync(Socket socket, NetworkStream stream, ControlRequest request, PeerCredentials peer,
        CancellationToken requestDeadline)
    {
        var sink = new ChannelSink(request.Probes, request.Changes, _options.SubscriberQueueLength);
        IDisposable subscription;
        try
        {
            subscription = _handler.Subscribe(sink, request.Probes, request.Changes);
        }
        catch (Exception e)
        {
            Log($"subscribe from {Describe(peer)} failed: {e}");
            await TryReplyAsync(stream, ControlCodec.ErrorReply(IpmpError.Failure, $"subscribe failed: {e.Message}")).ConfigureAwait(false);
            return;
        }
        using IDisposable unsubscribe = subscription;

        ReplyDto reply = ControlCodec.SuccessReply();
        reply.Now = ControlMapper.Ms(_handler.Now);
        await WriteAsync(stream, ControlCodec.EncodeReply(reply), requestDeadline).ConfigureAwait(false);

        // From here on the connection lives until the client closes it (or sends anything: a protocol
        // error), the server stops, or the subscriber falls too far behind.
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Task watcher = WatchForCloseAsync(socket, gone);
        try
        {
            await foreach (EventDto e in sink.Reader.ReadAllAsync(gone.Token).ConfigureAwait(false))
            {
                using var writeDeadline = CancellationTokenSource.CreateLinkedTokenSource(gone.Token);
                writeDeadline.CancelAfter(_options.RequestTimeout);
                await WriteAsync(stream, ControlCodec.EncodeEvent(e), writeDeadline.Token).ConfigureAwait(false);
            }
            if (sink.Overflowed)
            {
                Log("a control subscriber fell too far behind; disconnecting it");
                var end = new EventDto { Event = ControlProtocol.Events.End, Message = "events lost: subscriber too slow" };
                await TryWriteAsync(stream, ControlCodec.EncodeEvent(end)).ConfigureAwait(false);
            }
        }
        finally
        {
            await gone.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);
        }
    }

    private static async Task WatchForCloseAsync(Socket socket, CancellationTokenSource gone)
    {
        var buffer = new byte[64];
        try
        {
            await socket.ReceiveAsync(buffer, SocketFlags.None, gone.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        // EOF, an error, or unexpected data after the request: end the stream either way
        try { await gone.CancelAsync().ConfigureAwait(false); } catch (ObjectDisposedException) { }
    }

    /// <summary>Queues events for one subscriber; never blocks the caller.</summary>
    private sealed class ChannelSink(bool probes, bool changes, int capacity) : IControlEventSink
    {
        private readonly Channel<EventDto> _channel = Channel.CreateBounded<EventDto>(
            new BoundedChannelOptions(Math.Max(1, capacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        private volatile bool _overflowed;

        public ChannelReader<EventDto> Reader => _channel.Reader;

        public bool Overflowed => _overflowed;

        public void OnProbe(ProbeEvent probe)
        {
            if (probes && probe is not null)
                Post(new EventDto { Event = ControlProtocol.Events.Probe, Probe = ControlMapper.ToDto(probe) });
        }

        public void OnChange(StateChange change)
        {
            if (changes && change is not null)
                Post(new EventDto { Event = ControlProtocol.Events.Change, Change = ControlMapper.ToDto(change) });
        }

        private void Post(EventDto e)
        {
            if (!_channel.Writer.TryWrite(e) && !_overflowed)
            {
                _overflowed = true;
                _channel.Writer.TryComplete();
            }
        }
    }

    // ---- writing ----

    private static async Task WriteAsync(Stream stream, byte[] body, CancellationToken ct) =>
        await stream.WriteAsync(ControlFrame.Encode(body), ct).ConfigureAwait(false);

    /// <summary>Best effort, bounded: the connection may already be gone.</summary>
    private async Task TryReplyAsync(Stream stream, ReplyDto reply) =>
        await TryWriteAsync(stream, ControlCodec.EncodeReply(reply)).ConfigureAwait(false);

    private async Task TryWriteAsync(Stream stream, byte[] body)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        cts.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await WriteAsync(stream, body, cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static string Describe(PeerCredentials peer) =>
        peer == PeerCredentials.Unknown
            ? "an unknown peer"
            : string.Create(CultureInfo.InvariantCulture, $"uid {peer.Uid} (pid {peer.Pid})");

    private void Log(string message)
    {
        try
        {
            _options.Log?.Invoke(message);
        }
        catch (Exception)
        {
            // a broken log sink must not take the server down
        }
    }

    /// <summary>Stops serving, closes every connection (subscriptions included) and removes the socket file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _stop.Cancel();
        // A loop that still runs finds the closed descriptor gone from its epoll (the kernel forgets it).
        _listener.Dispose();
        _accepting.TrySetResult();
        foreach (Socket s in _connections.Keys)
        {
            try { s.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            s.Dispose();
        }
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }
        try
        {
            if (UnixPathKind.Of(SocketPath) == UnixPathKind.Kind.Socket)
                File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
    }
}
