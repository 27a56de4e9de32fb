namespace Ipmp.Host.Control;

/// <summary>Settings of a <see cref="ControlServer"/>.</summary>
public sealed class ControlServerOptions
{
    /// <summary>The socket path; use <see cref="ControlSocketPath.Resolve"/> to honour <c>--socket</c> and <c>IPMP_SOCKET</c>.</summary>
    public string SocketPath { get; init; } = ControlSocketPath.DefaultPath;

    /// <summary>A request (reading it, handling it, writing the reply) must finish within this time.</summary>
    public TimeSpan RequestTimeout { get; init; } = ControlProtocol.RequestTimeout;

    /// <summary>Requests served at once; more are closed at once (and logged), except root's.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Subscriptions open at once (they do not count towards <see cref="MaxConnections"/>).</summary>
    public int MaxSubscribers { get; init; } = 32;

    /// <summary>Events queued per subscriber; a subscriber that falls further behind is disconnected.</summary>
    public int SubscriberQueueLength { get; init; } = 4096;

    /// <summary>Receives one line per notable event: refusals (with uid and pid), bad requests, timeouts, handler failures.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>The event loop that accepts connections (the daemon's, as in.mpathd's poll loop owns its
    /// listener); null: the server accepts on a task of its own (<see cref="ControlServer.AcceptLoop"/>).
    /// Connections are served off the loop either way.</summary>
    public Runtime.IReadinessWatcher? Watcher { get; init; }
}

/// <summary>The server cannot start: another daemon answers on the socket, or the path is unusable.</summary>
public sealed class ControlServerException(string message, Exception? inner = null) : Exception(message, inner);
