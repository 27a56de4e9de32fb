using System.Net.Sockets;
using System.Text;
using Ipmp.Host.Runtime;
using Xunit;

namespace Ipmp.Host.Tests.Runtime;

public class SystemdNotifyTests
{
    [Fact]
    public void Status_is_one_datagram_on_one_line()
    {
        Assert.Equal("STATUS=running: 2 group(s) done", Encoding.UTF8.GetString(SystemdNotify.StatusDatagram("running: 2 group(s)\ndone")));
    }

    [Fact]
    public void Send_delivers_the_datagram_to_a_path_socket_and_ignores_a_missing_one()
    {
        var dir = Directory.CreateTempSubdirectory("ipmp-notify-");
        try
        {
            var path = Path.Combine(dir.FullName, "notify");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            SystemdNotify.Send(path, SystemdNotify.StatusDatagram("running"));
            var buffer = new byte[64];
            listener.ReceiveTimeout = 5000;
            var n = listener.Receive(buffer);
            Assert.Equal("STATUS=running", Encoding.ASCII.GetString(buffer, 0, n));
            SystemdNotify.Send(Path.Combine(dir.FullName, "absent"), SystemdNotify.StatusDatagram("x"));   // no throw
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
