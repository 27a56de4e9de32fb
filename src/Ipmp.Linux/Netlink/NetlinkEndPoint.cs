using System.Net;
using System.Net.Sockets;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// A sockaddr_nl as a managed EndPoint. It reports <see cref="AddressFamily.Unknown"/>: the adopted netlink
/// socket's family is Unknown, and reporting 16 (AppleTalk in the .NET enum) makes ReceiveFrom reject it.
/// </summary>
public sealed class NetlinkEndPoint(uint portId, uint groups) : EndPoint
{
    public uint PortId { get; } = portId;
    public uint Groups { get; } = groups;

    public override AddressFamily AddressFamily => AddressFamily.Unknown;

    public override SocketAddress Serialize()
    {
        // SocketAddress rejects family 16 (PNSE), so build an Unspecified one and patch the family bytes.
        var sa = new SocketAddress(AddressFamily.Unspecified, sockaddr_nl.Size);
        Span<byte> raw = stackalloc byte[sockaddr_nl.Size];
        new sockaddr_nl(PortId, Groups).Write(raw);
        for (var i = 0; i < raw.Length; i++) sa[i] = raw[i];
        return sa;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        if (socketAddress.Size < sockaddr_nl.Size) return new NetlinkEndPoint(0, 0);
        Span<byte> raw = stackalloc byte[sockaddr_nl.Size];
        for (var i = 0; i < raw.Length; i++) raw[i] = socketAddress[i];
        var nl = sockaddr_nl.Read(raw);
        return new NetlinkEndPoint(nl.nl_pid, nl.nl_groups);
    }

    public override string ToString() => $"netlink:{PortId}/0x{Groups:x}";
}
