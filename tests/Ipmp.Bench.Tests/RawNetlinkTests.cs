using System.Buffers.Binary;
using Ipmp.Bench.Lab;
using Xunit;

namespace Ipmp.Bench.Tests;

public class RawNetlinkTests
{
    /// <summary>An RTM_NEWLINK datagram: nlmsghdr, ifinfomsg (family, index, flags), then the attributes.</summary>
    private static byte[] NewLink(byte family, int index, uint flags, byte[] attributes)
    {
        var msg = new byte[16 + 16 + attributes.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(4), 16);   // RTM_NEWLINK
        msg[16] = family;
        BinaryPrimitives.WriteInt32LittleEndian(msg.AsSpan(20), index);
        BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(24), flags);
        attributes.CopyTo(msg, 32);
        return msg;
    }

    private static byte[] Attr(ushort type, byte[] value)
    {
        var a = new byte[(4 + value.Length + 3) & ~3];
        BinaryPrimitives.WriteUInt16LittleEndian(a, (ushort)(4 + value.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(a.AsSpan(2), type);
        value.CopyTo(a, 4);
        return a;
    }

    [Fact]
    public void A_bridge_port_state_change_is_read_from_its_nested_protinfo()
    {
        // As the bridge sends it: IFLA_MASTER, then IFLA_PROTINFO | NLA_F_NESTED holding IFLA_BRPORT_STATE.
        var protinfo = Attr(12 | 0x8000, [.. Attr(2, [32, 0]), .. Attr(1, [0])]);
        var datagram = NewLink(7, 5, 0x10043, [.. Attr(10, [1, 0, 0, 0]), .. protinfo]);
        var e = Assert.Single(RawNetlink.Parse(datagram));
        Assert.Equal(new RawNetlink.BridgePort(5, 0), e);
        Assert.True(KernelEvents.PortState(e, 5, 0));
        Assert.False(KernelEvents.PortState(e, 5, 3));
    }

    [Fact]
    public void An_ordinary_link_message_is_still_a_link_and_a_bridge_message_without_a_state_is_skipped()
    {
        var link = Assert.Single(RawNetlink.Parse(NewLink(0, 3, 0x10043, [])));
        Assert.Equal(new RawNetlink.Link(3, LowerUp: true), link);
        Assert.Empty(RawNetlink.Parse(NewLink(7, 3, 0x10043, Attr(10, [1, 0, 0, 0]))));
    }
}
