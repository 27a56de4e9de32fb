using System.Net;
using System.Net.Sockets;
using Ipmp.Linux.Netlink;

namespace Ipmp.Linux.Tests;

/// <summary>Parser and writer on crafted bytes: malformed input is dropped and counted, never thrown.</summary>
public class NetlinkParserTests
{
    private static byte[] Message(ushort type, ReadOnlySpan<byte> payload, uint? lengthOverride = null)
    {
        var buf = new byte[Nl.Align(nlmsghdr.Size + payload.Length)];
        new nlmsghdr(lengthOverride ?? (uint)(nlmsghdr.Size + payload.Length), type, 0, 1, 0).Write(buf);
        payload.CopyTo(buf.AsSpan(nlmsghdr.Size));
        return buf;
    }

    private static byte[] LinkPayload(int index, string name, bool corruptAttribute = false)
    {
        var w = new NetlinkMessageWriter();
        new ifinfomsg(0, 1, index, 0x10043, 0).Write(w.Reserve(ifinfomsg.Size));
        w.AddString(Nl.IFLA_IFNAME, name);
        var linkinfo = w.BeginNested(Nl.IFLA_LINKINFO);
        w.AddString(Nl.IFLA_INFO_KIND, "veth");
        w.EndNested(linkinfo);
        var bytes = w.Written.ToArray();
        if (corruptAttribute) bytes[ifinfomsg.Size] = 0xF0; // rta_len of IFLA_IFNAME now runs past the end
        return bytes;
    }

    private static List<RtNetlinkEvent> Decode(byte[] datagram, NetlinkCounters counters)
    {
        var events = new List<RtNetlinkEvent>();
        var reader = new NetlinkMessageReader(datagram, counters);
        while (reader.TryRead(out var h, out var payload))
            if (RtNetlinkParser.TryParseEvent(h, payload, counters, out var ev)) events.Add(ev!);
        return events;
    }

    [Fact]
    public void Well_formed_link_message_round_trips_including_nested_kind()
    {
        var counters = new NetlinkCounters();
        var events = Decode(Message(Nl.RTM_NEWLINK, LinkPayload(7, "eth7")), counters);
        var link = Assert.IsType<LinkEvent>(Assert.Single(events)).Link;
        Assert.Equal((7, "eth7", "veth"), (link.Index, link.Name, link.Kind));
        Assert.True(link.IsUp && link.IsRunning && link.IsLowerUp);
        Assert.Equal(0, counters.MalformedMessages + counters.TruncatedDatagrams);
    }

    [Fact]
    public void Bridge_port_notifications_are_not_link_events_and_not_errors()
    {
        var counters = new NetlinkCounters();
        var payload = LinkPayload(5, "p0");
        payload[0] = 7; // AF_BRIDGE
        Assert.Empty(Decode(Message(Nl.RTM_NEWLINK, payload), counters));
        Assert.Equal(0, counters.MalformedMessages);
    }

    [Fact]
    public void Truncated_attribute_drops_only_that_message_and_counts_it()
    {
        var counters = new NetlinkCounters();
        var datagram = Message(Nl.RTM_NEWLINK, LinkPayload(1, "bad", corruptAttribute: true))
            .Concat(Message(Nl.RTM_NEWLINK, LinkPayload(2, "good"))).ToArray();
        var events = Decode(datagram, counters);
        Assert.Equal("good", Assert.IsType<LinkEvent>(Assert.Single(events)).Link.Name);
        Assert.Equal(1, counters.MalformedMessages);
    }

    [Fact]
    public void Message_length_past_the_datagram_ends_the_walk_and_counts_it()
    {
        var counters = new NetlinkCounters();
        var datagram = Message(Nl.RTM_NEWLINK, LinkPayload(2, "good"))
            .Concat(Message(Nl.RTM_NEWLINK, LinkPayload(3, "long"), lengthOverride: 4000)).ToArray();
        var events = Decode(datagram, counters);
        Assert.Single(events);
        Assert.Equal(1, counters.TruncatedDatagrams);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 8, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xFF })] // nlmsg_len 8 < 16
    public void Garbage_never_throws(byte[] datagram)
    {
        var counters = new NetlinkCounters();
        Assert.Empty(Decode(datagram, counters));
        Assert.Equal(datagram.Length == 0 ? 0 : 1, counters.TruncatedDatagrams);
    }

    [Fact]
    public void Short_fixed_headers_and_wrong_address_sizes_are_malformed()
    {
        var counters = new NetlinkCounters();
        Assert.Empty(Decode(Message(Nl.RTM_NEWADDR, new byte[4]), counters));   // ifaddrmsg is 8
        Assert.Empty(Decode(Message(Nl.RTM_NEWROUTE, new byte[11]), counters));  // rtmsg is 12
        var w = new NetlinkMessageWriter();
        new ifaddrmsg(Nl.AF_INET, 24, 0, 0, 1).Write(w.Reserve(ifaddrmsg.Size));
        w.AddAttribute(Nl.IFA_LOCAL, new byte[5]); // an IPv4 address is 4 bytes
        Assert.Empty(Decode(Message(Nl.RTM_NEWADDR, w.Written), counters));
        Assert.Equal(3, counters.MalformedMessages);
    }

    [Fact]
    public void Multipath_route_written_is_parsed_back()
    {
        var w = new NetlinkMessageWriter();
        RtNetlinkClient.WriteRoute(w, new RouteSpec
        {
            Destination = IPAddress.Parse("10.99.0.0"),
            PrefixLength = 24,
            Table = 1000,
            NextHops = [new RouteNextHop(3, IPAddress.Parse("10.0.0.1"), 1), new RouteNextHop(4, IPAddress.Parse("10.0.1.1"), 5)],
        }, delete: false);
        var counters = new NetlinkCounters();
        Assert.True(RtNetlinkParser.TryParseRoute(w.Written, counters, out var route));
        Assert.Equal(AddressFamily.InterNetwork, route!.Family);
        Assert.Equal((1000u, "10.99.0.0", 24), (route.Table, route.Destination.ToString(), route.DestinationPrefixLength));
        Assert.Equal([(3, "10.0.0.1", 1), (4, "10.0.1.1", 5)],
            route.NextHops.Select(h => (h.InterfaceIndex, h.Gateway!.ToString(), h.Weight)).ToArray());
    }

    [Fact]
    public void Error_message_yields_errno_and_extended_ack_text()
    {
        var w = new NetlinkMessageWriter();
        var err = w.Reserve(nlmsgerr.Size);
        BitConverter.TryWriteBytes(err, -17);
        new nlmsghdr(16, Nl.RTM_NEWADDR, 0, 9, 0).Write(err[4..]);
        w.AddString(Nl.NLMSGERR_ATTR_MSG, "it exists");
        var h = new nlmsghdr((uint)(16 + w.Written.Length), Nl.NLMSG_ERROR, Nl.NLM_F_CAPPED | Nl.NLM_F_ACK_TLVS, 9, 0);
        Assert.True(RtNetlinkParser.TryParseError(h, w.Written, new NetlinkCounters(), out var errno, out var text));
        Assert.Equal((17, "it exists"), (errno, text));
    }
}
