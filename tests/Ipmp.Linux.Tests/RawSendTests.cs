using System.Net;
using System.Net.Sockets;
using Ipmp.Linux;

namespace Ipmp.Linux.Tests;

public sealed class RawSendTests
{
    [Fact]
    public void An_ipv4_sockaddr_is_family_port_and_address()
    {
        Span<byte> b = stackalloc byte[RawSend.MaxSockAddr];
        var n = RawSend.WriteSockAddr(b, IPAddress.Parse("192.168.10.1"), port: 0x1234);
        Assert.Equal(16, n);
        Assert.Equal(new byte[] { 2, 0, 0x12, 0x34, 192, 168, 10, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, b[..n].ToArray());
    }

    [Fact]
    public void An_ipv6_sockaddr_takes_the_address_scope_or_else_the_given_one()
    {
        Span<byte> b = stackalloc byte[RawSend.MaxSockAddr];
        var n = RawSend.WriteSockAddr(b, IPAddress.Parse("fe80::1"), scopeId: 7);
        Assert.Equal(28, n);
        Assert.Equal(10, b[0]);
        Assert.Equal(0xfe, b[8]);
        Assert.Equal(1, b[23]);
        Assert.Equal(7, BitConverter.ToInt32(b[24..28]));
        RawSend.WriteSockAddr(b, IPAddress.Parse("fe80::1%3"), scopeId: 7);
        Assert.Equal(3, BitConverter.ToInt32(b[24..28]));
    }

    [Fact]
    public void A_send_errno_becomes_the_socket_error_the_callers_test_for()
    {
        Assert.Equal(SocketError.NetworkUnreachable, RawSend.Error((int)LinuxErrno.ENETUNREACH).SocketErrorCode);
        Assert.Equal(SocketError.WouldBlock, RawSend.Error((int)LinuxErrno.EAGAIN).SocketErrorCode);
        Assert.Equal(SocketError.NoBufferSpaceAvailable, RawSend.Error((int)LinuxErrno.ENOBUFS).SocketErrorCode);
        Assert.Equal(SocketError.NetworkDown, RawSend.Error((int)LinuxErrno.ENETDOWN).SocketErrorCode);
    }

    [Fact]
    public void A_datagram_reaches_a_local_socket_through_the_raw_send()
    {
        using var receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = (ushort)((IPEndPoint)receiver.LocalEndPoint!).Port;
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Span<byte> name = stackalloc byte[RawSend.MaxSockAddr];
        var n = RawSend.WriteSockAddr(name, IPAddress.Loopback, port);
        Assert.True(RawSend.SendTo(sender.SafeHandle, "probe"u8, name[..n]));
        var buf = new byte[16];
        receiver.ReceiveTimeout = 2000;
        Assert.Equal("probe", System.Text.Encoding.ASCII.GetString(buf, 0, receiver.Receive(buf)));
    }
}
