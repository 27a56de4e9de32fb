using System.Net.Sockets;
using System.Text;

namespace Ipmp.Host.Runtime;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. READY=1 and STOPPING=1 come from
/// Microsoft.Extensions.Hosting.Systemd; the daemon adds STATUS= (what `systemctl status` shows) and the
/// watchdog's WATCHDOG=1.
/// </summary>
public static class SystemdNotify
{
    public static string? Socket => Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is { Length: > 0 } s ? s : null;

    /// <summary>STATUS=text, when run by systemd; a no-op otherwise. Newlines would end the field: they
    /// become spaces.</summary>
    public static void Status(string text)
    {
        if (Socket is { } path) Send(path, StatusDatagram(text));
    }

    public static byte[] StatusDatagram(string text) => Encoding.UTF8.GetBytes("STATUS=" + text.ReplaceLineEndings(" "));

    /// <summary>One datagram ('@' is the abstract namespace). Failures are ignored: a broken notify channel
    /// shows as a unit that never becomes ready or a watchdog restart, which is the right outcome.</summary>
    public static void Send(string path, byte[] message)
    {
        try
        {
            using var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var endpoint = new UnixDomainSocketEndPoint(path.StartsWith('@') ? "\0" + path[1..] : path);
            s.SendTo(message, endpoint);
        }
        catch (SocketException)
        {
        }
    }
}
