using System.Collections.Immutable;
using System.Net.Sockets;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;

namespace Ipmp.Host.Control;

/// <summary>The daemon's answer to a ping.</summary>
/// <param name="Pid">The daemon's process id.</param>
/// <param name="Now">The daemon's monotonic clock when it answered.</param>
public sealed record PingReply(int Pid, TimeSpan Now);

/// <summary>
/// Talks to the daemon over its control socket, one connection per request. Failures are
/// <see cref="ControlException"/>s; nobody listening is the <see cref="DaemonUnreachableException"/>.
/// offline/online return the daemon's <see cref="AdminResult"/> (a privilege refusal included).
/// </summary>
public sealed class ControlClient
{
    /// <param name="socketPath">The socket; null = <see cref="ControlSocketPath.Resolve"/>() (IPMP_SOCKET or the default).</param>
    /// <param name="timeout">Per request, connect to reply; default a little over the daemon's 5 s.</param>
    public ControlClient(string? socketPath = null, TimeSpan? timeout = null)
    {
        SocketPath = socketPath ?? ControlSocketPath.Resolve();
        Timeout = timeout ?? ControlProtocol.RequestTimeout + TimeSpan.FromSeconds(1);
    }

    public string SocketPath { get; }

    public TimeSpan Timeout { get; }

    public async Task<PingReply> PingAsync(CancellationToken cancellationToken = default)
    {
        ReplyDto reply = await RequestOkAsync(new ControlRequest(ControlProtocol.Ops.Ping), cancellationToken).ConfigureAwait(false);
        return new PingReply(reply.Pid ?? 0, ControlMapper.Duration(reply.Now, "now"));
    }

    public async Task<IpmpSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        ReplyDto reply = await RequestOkAsync(new ControlRequest(ControlProtocol.Ops.Snapshot), cancellationToken).ConfigureAwait(false);
        return Wrap(() => ControlMapper.FromDto(reply.Snapshot));
    }

    /// <summary><c>if_mpadm -d</c>. if_mpadm asks for a minimum redundancy of 1.</summary>
    public Task<AdminResult> OfflineAsync(string interfaceName, int minRedundancy = 1, CancellationToken cancellationToken = default) =>
        AdminAsync(new ControlRequest(ControlProtocol.Ops.Offline, interfaceName, minRedundancy), cancellationToken);

    /// <summary><c>if_mpadm -r</c>.</summary>
    public Task<AdminResult> OnlineAsync(string interfaceName, CancellationToken cancellationToken = default) =>
        AdminAsync(new ControlRequest(ControlProtocol.Ops.Online, interfaceName), cancellationToken);

    /// <summary>Asks the daemon to re-read its configuration. <see cref="ReloadResult.Ok"/> false: it kept the old one.</summary>
    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken = default)
    {
        ReplyDto reply = await RequestAsync(new ControlRequest(ControlProtocol.Ops.Reload), cancellationToken).ConfigureAwait(false);
        if (reply.Applied is not { } applied)
            throw Refusal(reply);
        return new ReloadResult(applied, reply.Diagnostics is { } d ? [.. d] : ImmutableArray<string>.Empty);
    }

    /// <summary>
    /// Subscribes to events (probe events need root). The returned subscription owns the connection:
    /// read it with <see cref="ControlSubscription.ReadAllAsync"/> and dispose it to unsubscribe.
    /// </summary>
    public async Task<ControlSubscription> SubscribeAsync(bool probes, bool changes, CancellationToken cancellationToken = default)
    {
        var request = new ControlRequest(ControlProtocol.Ops.Subscribe, Probes: probes, Changes: changes);
        Socket socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            ReplyDto reply = await ExchangeAsync(stream, request, cancellationToken).ConfigureAwait(false);
            if (reply.Ok != true)
                throw Refusal(reply);
            return new ControlSubscription(stream, ControlMapper.Duration(reply.Now, "now"));
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<AdminResult> AdminAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ReplyDto reply = await RequestAsync(request, cancellationToken).ConfigureAwait(false);
        var error = (IpmpError)reply.Error!.Value;
        return reply.Ok == true ? AdminResult.Success : new AdminResult(error, reply.Message ?? AdminResult.Describe(error));
    }

    private async Task<ReplyDto> RequestOkAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        ReplyDto reply = await RequestAsync(request, cancellationToken).ConfigureAwait(false);
        return reply.Ok == true ? reply : throw Refusal(reply);
    }

    private static ControlException Refusal(ReplyDto reply)
    {
        var error = (IpmpError)(reply.Error ?? (int)IpmpError.Failure);
        if (error == IpmpError.Success)
            error = IpmpError.Failure;
        return new ControlException(error, reply.Message ?? AdminResult.Describe(error), reply.Errno ?? 0);
    }

    private async Task<ReplyDto> RequestAsync(ControlRequest request, CancellationToken cancellationToken)
    {
        using Socket socket = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        return await ExchangeAsync(stream, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Socket> ConnectAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
                                         || e.ErrorCode == 2 /* ENOENT */)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(SocketPath, e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ControlException(IpmpError.CommunicationFailure,
                $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {SocketPath}: {e.Message}", 0, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw TimedOut(e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task<ReplyDto> ExchangeAsync(Stream stream, ControlRequest request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await stream.WriteAsync(ControlFrame.Encode(ControlCodec.EncodeRequest(request)), deadline.Token).ConfigureAwait(false);
            byte[] body = await ControlFrame.ReadAsync(stream, deadline.Token).ConfigureAwait(false)
                          ?? throw new ControlProtocolException("the daemon closed the connection without a reply");
            return ControlCodec.DecodeReply(body);
        }
        catch (FormatException e)
        {
            throw new ControlException(IpmpError.CommunicationFailure,
                $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {e.Message}", 0, e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new ControlException(IpmpError.CommunicationFailure,
                $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {e.Message}", 0, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(e);
        }
    }

    private ControlException TimedOut(Exception inner) =>
        new(IpmpError.CommunicationFailure, $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: no reply within {Timeout.TotalSeconds:0.#} s", 0, inner);

    private static T Wrap<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException e)
        {
            throw new ControlException(IpmpError.CommunicationFailure,
                $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {e.Message}", 0, e);
        }
    }
}

/// <summary>One event of a subscription: a probe event or a state change, with its JSON text (one line).</summary>
/// <param name="Json">The event frame's JSON as received (<c>{"v":1,"event":"probe","probe":{...}}</c>); one line.</param>
public sealed record ControlEvent(ProbeEvent? Probe, StateChange? Change, string Json);

/// <summary>An open subscription: events until the daemon or the caller ends it.</summary>
public sealed class ControlSubscription : IAsyncDisposable, IDisposable
{
    private readonly Stream _stream;

    internal ControlSubscription(Stream stream, TimeSpan daemonNow)
    {
        _stream = stream;
        DaemonNow = daemonNow;
    }

    /// <summary>The daemon's monotonic clock when the subscription began (ipmpstat -p's time origin).</summary>
    public TimeSpan DaemonNow { get; }

    /// <summary>
    /// Events as they arrive. Ends normally when the daemon closes the stream; throws
    /// <see cref="ControlException"/> if it ended the stream with a reason (e.g. the reader was too slow)
    /// or sent something unreadable. Unknown event kinds are skipped (forward compatibility).
    /// </summary>
    public async IAsyncEnumerable<ControlEvent> ReadAllAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            byte[]? body;
            try
            {
                body = await ControlFrame.ReadAsync(_stream, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or FormatException)
            {
                throw new ControlException(IpmpError.CommunicationFailure,
                    $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {e.Message}", 0, e);
            }
            if (body is null)
                yield break;

            if (Decode(body) is { } controlEvent)
                yield return controlEvent;
        }
    }

    private static ControlEvent? Decode(byte[] body)
    {
        try
        {
            EventDto dto = ControlCodec.DecodeEvent(body);
            string json = System.Text.Encoding.UTF8.GetString(body);
            return dto.Event switch
            {
                ControlProtocol.Events.Probe => new ControlEvent(ControlMapper.FromDto(dto.Probe), null, json),
                ControlProtocol.Events.Change => new ControlEvent(null, ControlMapper.FromDto(dto.Change), json),
                ControlProtocol.Events.End => throw new ControlException(IpmpError.CommunicationFailure,
                    "the daemon ended the subscription: " + (dto.Message ?? "no reason given")),
                _ => null,
            };
        }
        catch (FormatException e)
        {
            throw new ControlException(IpmpError.CommunicationFailure,
                $"{AdminResult.Describe(IpmpError.CommunicationFailure)}: {e.Message}", 0, e);
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    public void Dispose() => _stream.Dispose();
}
