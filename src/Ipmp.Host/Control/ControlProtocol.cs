namespace Ipmp.Host.Control;

/// <summary>
/// Constants of the control-socket protocol (see <c>README.md</c> in this folder): frames of a 4-byte
/// big-endian length followed by that many bytes of UTF-8 JSON, every object carrying <c>"v": 1</c>.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The protocol version this build speaks (the <c>"v"</c> member of every frame).</summary>
    public const int Version = 1;

    /// <summary>The largest frame body accepted in either direction (1 MiB). Zero-length frames are invalid too.</summary>
    public const int MaxFrameBytes = 1024 * 1024;

    /// <summary>A request and all of its reply must finish within this time (illumos IPMP_REQTIMEOUT).</summary>
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>errno carried in a reply when the peer lacks privilege (EPERM), as libipmp's IPMP_FAILURE + errno.</summary>
    public const int EPERM = 1;

    /// <summary>Request operation names (the <c>"op"</c> member).</summary>
    public static class Ops
    {
        public const string Ping = "ping";
        public const string Snapshot = "snapshot";
        public const string Offline = "offline";
        public const string Online = "online";
        public const string Reload = "reload";
        public const string Subscribe = "subscribe";
    }

    /// <summary>Event frame kinds (the <c>"event"</c> member of frames streamed after a subscribe reply).</summary>
    public static class Events
    {
        public const string Probe = "probe";
        public const string Change = "change";
        /// <summary>The server ends the stream (for example because the subscriber fell too far behind).</summary>
        public const string End = "end";
    }
}
