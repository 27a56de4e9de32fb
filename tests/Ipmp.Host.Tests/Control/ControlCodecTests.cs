using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Host.Tests.Control;

public class ControlCodecTests
{
    private static SnapshotDto ThroughJson(SnapshotDto dto)
    {
        var reply = new ReplyDto { Ok = true, Error = 0, Message = "x", Snapshot = dto };
        return ControlCodec.DecodeReply(ControlCodec.EncodeReply(reply)).Snapshot!;
    }

    [Fact]
    public void Snapshot_round_trips_losslessly()
    {
        IpmpSnapshot back = ControlMapper.FromDto(ThroughJson(ControlMapper.ToDto(Samples.Snapshot)));
        Assert.Equal(Samples.Canon(Samples.Snapshot), Samples.Canon(back));
        Assert.Null(back.Groups[2].FailureDetectionTime);
        Assert.Equal(TimeSpan.FromTicks(123_456_789), back.Groups[1].FailureDetectionTime);
        Assert.Equal(2, back.Interfaces[0].V6.TestAddress!.ScopeId);
        Assert.Null(back.Interfaces[3].V4.TestAddress);
    }

    [Fact]
    public void Random_snapshots_and_events_round_trip_losslessly()
    {
        var r = new Random(20261122);
        for (int i = 0; i < 400; i++)
        {
            IpmpSnapshot s = Samples.Random(r);
            Assert.Equal(Samples.Canon(s), Samples.Canon(ControlMapper.FromDto(ThroughJson(ControlMapper.ToDto(s)))));

            ProbeEvent p = Samples.RandomProbe(r);
            Assert.Equal(p, RoundTrip(p));
        }
    }

    private static ProbeEvent RoundTrip(ProbeEvent p)
    {
        byte[] body = ControlCodec.EncodeEvent(new EventDto { Event = ControlProtocol.Events.Probe, Probe = ControlMapper.ToDto(p) });
        return ControlMapper.FromDto(ControlCodec.DecodeEvent(body).Probe);
    }

    [Fact]
    public void Events_round_trip_and_are_one_line()
    {
        Assert.Equal(Samples.AckedProbe, RoundTrip(Samples.AckedProbe));
        Assert.Equal(Samples.LostProbe, RoundTrip(Samples.LostProbe));

        byte[] body = ControlCodec.EncodeEvent(new EventDto { Event = ControlProtocol.Events.Change, Change = ControlMapper.ToDto(Samples.Change) });
        string json = Encoding.UTF8.GetString(body);
        Assert.DoesNotContain('\n', json);
        Assert.StartsWith("{\"v\":1,\"event\":\"change\",\"change\":{\"at\":4321.0001,", json);
        Assert.Equal(Samples.Change, ControlMapper.FromDto(ControlCodec.DecodeEvent(body).Change));
    }

    [Fact]
    public void Wire_shapes_are_as_documented()
    {
        string snap = Encoding.UTF8.GetString(ControlCodec.EncodeReply(new ReplyDto
        {
            Ok = true, Error = 0, Message = "operation succeeded", Snapshot = ControlMapper.ToDto(Samples.Snapshot),
        }));
        Assert.StartsWith("{\"v\":1,\"ok\":true,\"error\":0,\"message\":\"operation succeeded\",\"snapshot\":{\"groups\":[" +
            "{\"name\":\"grp1\",\"ipmpInterface\":\"ipmp1\",\"state\":\"degraded\",\"fdt\":10000,\"interfaces\":[\"net4\",\"net3\"],\"signature\":7}", snap);
        Assert.Contains("{\"name\":\"net4\",\"group\":\"ipmp1\",\"state\":\"ok\",\"type\":\"normal\",\"link\":\"up\",\"probe\":\"ok\",\"flags\":116," +
            "\"v4\":{\"testAddress\":\"10.1.1.11\",\"mode\":\"routes\",\"targets\":[\"10.1.1.1\"]}," +
            "\"v6\":{\"testAddress\":\"fe80::1%2\",\"mode\":\"multicast\",\"targets\":[\"fe80::a%2\",\"fe80::b%2\"]}}", snap);
        Assert.Contains("\"fdt\":12345.6789", snap);
        Assert.Contains("{\"address\":\"192.168.10.52\",\"prefixLength\":24,\"state\":\"down\",\"group\":\"ipmp0\",\"inbound\":\"\"}", snap);
        Assert.Contains("\"state\":\"offline\",\"type\":\"normal\",\"link\":\"unknown\",\"probe\":\"unknown\"", snap);

        Assert.Equal("{\"v\":1,\"op\":\"offline\",\"interface\":\"eth0\",\"minRedundancy\":1}",
            Encoding.UTF8.GetString(ControlCodec.EncodeRequest(new ControlRequest("offline", "eth0"))));
        Assert.Equal("{\"v\":1,\"op\":\"subscribe\",\"probes\":true,\"changes\":false}",
            Encoding.UTF8.GetString(ControlCodec.EncodeRequest(new ControlRequest("subscribe", Probes: true))));
        Assert.Equal("{\"v\":1,\"op\":\"ping\"}", Encoding.UTF8.GetString(ControlCodec.EncodeRequest(new ControlRequest("ping"))));
    }

    [Theory]
    [InlineData("ping")]
    [InlineData("snapshot")]
    [InlineData("reload")]
    public void Simple_requests_round_trip(string op) =>
        Assert.Equal(new ControlRequest(op), ControlCodec.DecodeRequest(ControlCodec.EncodeRequest(new ControlRequest(op))));

    [Fact]
    public void Parameterised_requests_round_trip()
    {
        foreach (var r in new[]
                 {
                     new ControlRequest("offline", "eth0", 0), new ControlRequest("offline", "eth1", 3),
                     new ControlRequest("online", "net5"),
                     new ControlRequest("subscribe", Probes: true), new ControlRequest("subscribe", Changes: true),
                     new ControlRequest("subscribe", Probes: true, Changes: true),
                 })
            Assert.Equal(r, ControlCodec.DecodeRequest(ControlCodec.EncodeRequest(r)));
    }

    [Theory]
    [InlineData("{\"v\":1,\"op\":\"offline\",\"interface\":\"eth0\"}", "offline", 1)]   // if_mpadm's default
    [InlineData("{\"op\":\"ping\",\"v\":1,\"future\":{\"x\":[1,2]}}", "ping", 1)]      // unknown members are ignored
    public void Lenient_where_harmless(string json, string op, int minRedundancy)
    {
        ControlRequest r = ControlCodec.DecodeRequest(Encoding.UTF8.GetBytes(json));
        Assert.Equal(op, r.Op);
        Assert.Equal(minRedundancy, r.MinRedundancy);
    }

    [Theory]
    [InlineData("{\"v\":2,\"op\":\"ping\"}", "unsupported protocol version 2 (this side speaks version 1)")]
    [InlineData("{\"v\":0,\"op\":\"nonsense\"}", "unsupported protocol version 0 (this side speaks version 1)")]
    [InlineData("{\"op\":\"ping\"}", "malformed request: missing protocol version \"v\"")]
    [InlineData("{\"v\":\"1\",\"op\":\"ping\"}", "malformed request: invalid protocol version \"v\"")]
    [InlineData("{\"v\":1.5,\"op\":\"ping\"}", "malformed request: invalid protocol version \"v\"")]
    [InlineData("[1]", "malformed request: not a JSON object")]
    [InlineData("{\"v\":1", "malformed request: not valid UTF-8 JSON")]
    [InlineData("{\"v\":1}", "malformed request: missing \"op\"")]
    [InlineData("{\"v\":1,\"op\":\"format-disk\"}", "unknown request \"format-disk\"")]
    [InlineData("{\"v\":1,\"op\":\"offline\"}", "malformed request: offline needs \"interface\"")]
    [InlineData("{\"v\":1,\"op\":\"online\",\"interface\":\"\"}", "malformed request: online needs \"interface\"")]
    [InlineData("{\"v\":1,\"op\":\"offline\",\"interface\":\"e\",\"minRedundancy\":-1}", "malformed request: negative \"minRedundancy\"")]
    [InlineData("{\"v\":1,\"op\":\"subscribe\"}", "malformed request: subscribe needs \"probes\" or \"changes\"")]
    public void Bad_requests_are_refused_with_a_reason(string json, string message)
    {
        var e = Assert.ThrowsAny<FormatException>(() => ControlCodec.DecodeRequest(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("{\"v\":1,\"op\":7}")]
    [InlineData("{\"v\":1,\"op\":\"offline\",\"interface\":[\"eth0\"]}")]
    [InlineData("{\"v\":1,\"op\":\"offline\",\"interface\":\"eth0\",\"minRedundancy\":\"1\"}")]
    [InlineData("{\"v\":1,\"op\":\"offline\",\"interface\":\"eth0\",\"minRedundancy\":99999999999}")]
    [InlineData("{\"v\":1,\"op\":\"subscribe\",\"probes\":1}")]
    public void Wrongly_typed_members_are_malformed(string json)
    {
        var e = Assert.ThrowsAny<FormatException>(() => ControlCodec.DecodeRequest(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith("malformed request: ", e.Message);
    }

    [Fact]
    public void Invalid_snapshot_members_are_protocol_errors()
    {
        string good = Encoding.UTF8.GetString(ControlCodec.EncodeReply(new ReplyDto { Ok = true, Error = 0, Snapshot = ControlMapper.ToDto(Samples.Snapshot) }));
        foreach (var (from, to) in new[]
                 {
                     ("\"state\":\"degraded\"", "\"state\":\"sideways\""),
                     ("\"state\":\"degraded\"", "\"state\":2"),
                     ("\"10.1.1.11\"", "\"10.1.1.311\""),
                     ("\"prefixLength\":24", "\"prefixLength\":129"),
                     ("\"name\":\"grp1\",", ""),
                     ("\"fdt\":10000", "\"fdt\":1e300"),
                 })
        {
            string bad = good.Replace(from, to);
            Assert.NotEqual(good, bad);
            Assert.ThrowsAny<FormatException>(() => ControlMapper.FromDto(ControlCodec.DecodeReply(Encoding.UTF8.GetBytes(bad)).Snapshot));
        }
    }

    [Fact]
    public async Task Frames_reject_empty_oversized_and_truncated_input()
    {
        async Task<byte[]?> Read(byte[] data) => await ControlFrame.ReadAsync(new MemoryStream(data), CancellationToken.None);

        Assert.Null(await Read([]));
        Assert.Equal([1, 2, 3], await Read([0, 0, 0, 3, 1, 2, 3, 9]));
        Assert.Equal("empty frame", (await Assert.ThrowsAsync<ControlProtocolException>(() => Read([0, 0, 0, 0]))).Message);
        Assert.StartsWith("frame too large (1048577 bytes",
            (await Assert.ThrowsAsync<ControlProtocolException>(() => Read([0, 0x10, 0, 1]))).Message);
        Assert.Equal("truncated frame header", (await Assert.ThrowsAsync<ControlProtocolException>(() => Read([0, 0]))).Message);
        Assert.Equal("truncated frame (2 of 5 bytes)", (await Assert.ThrowsAsync<ControlProtocolException>(() => Read([0, 0, 0, 5, 1, 2]))).Message);

        var max = new byte[4 + ControlProtocol.MaxFrameBytes];
        BinaryPrimitives.WriteUInt32BigEndian(max, ControlProtocol.MaxFrameBytes);
        Assert.Equal(ControlProtocol.MaxFrameBytes, (await Read(max))!.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => ControlFrame.Encode([]));
    }

    /// <summary>The decoder only ever accepts or throws FormatException, whatever the bytes.</summary>
    [Fact]
    public void Request_decoder_fuzz_only_accepts_or_refuses()
    {
        var r = new Random(7);
        string[] seeds =
        [
            "{\"v\":1,\"op\":\"offline\",\"interface\":\"eth0\",\"minRedundancy\":1}",
            "{\"v\":1,\"op\":\"subscribe\",\"probes\":true,\"changes\":false}",
            "{\"v\":1,\"op\":\"ping\"}",
        ];
        string[] junk = ["{", "}", "[", "]", "\"", ":", ",", "null", "true", "1e999", "-0", "\\u0000", "\\ud800", "v", "op", "\u00ff", "9999999999999999999999"];
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input;
            switch (r.Next(4))
            {
                case 0:
                    input = new byte[r.Next(0, 64)];
                    r.NextBytes(input);
                    break;
                case 1:
                    byte[] seed = Encoding.UTF8.GetBytes(seeds[r.Next(seeds.Length)]);
                    input = seed[..r.Next(0, seed.Length + 1)];   // truncated
                    break;
                case 2:
                    var sb = new StringBuilder(seeds[r.Next(seeds.Length)]);
                    for (int k = r.Next(1, 4); k > 0; k--)
                        sb.Insert(r.Next(sb.Length + 1), junk[r.Next(junk.Length)]);
                    input = Encoding.UTF8.GetBytes(sb.ToString());
                    break;
                default:
                    input = Encoding.UTF8.GetBytes(seeds[r.Next(seeds.Length)]);
                    input[r.Next(input.Length)] = (byte)r.Next(256);   // a flipped byte
                    break;
            }
            try
            {
                ControlCodec.DecodeRequest(input);
                accepted++;
            }
            catch (FormatException)
            {
            }
        }
        Assert.InRange(accepted, 1, 19_999);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        string deep = "{\"v\":1,\"op\":\"ping\",\"x\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        Assert.ThrowsAny<FormatException>(() => ControlCodec.DecodeRequest(Encoding.UTF8.GetBytes(deep)));
    }

    [Fact]
    public void Socket_path_resolution_order()
    {
        Assert.Equal("/x.sock", ControlSocketPath.Resolve("/x.sock", _ => "/env.sock"));
        Assert.Equal("/env.sock", ControlSocketPath.Resolve(null, n => n == "IPMP_SOCKET" ? "/env.sock" : null));
        Assert.Equal("/env.sock", ControlSocketPath.Resolve("", _ => "/env.sock"));
        Assert.Equal("/run/ipmp/ipmpd.sock", ControlSocketPath.Resolve(null, _ => ""));
        Assert.Equal("/run/ipmp/ipmpd.sock", ControlSocketPath.Resolve(null, _ => null));
    }

    [Fact]
    public void Reply_json_is_plain_utf8()
    {
        byte[] body = ControlCodec.EncodeReply(ControlCodec.ErrorReply(Ipmp.Core.Engine.IpmpError.Failure, "insufficient privileges for offline", 1));
        using var doc = JsonDocument.Parse(body);
        Assert.Equal("{\"v\":1,\"ok\":false,\"error\":1,\"message\":\"insufficient privileges for offline\",\"errno\":1}", Encoding.UTF8.GetString(body));
    }
}

public class ControlFrameAllocationTests
{
    [Fact]
    public async Task A_frame_that_claims_a_mebibyte_and_sends_little_costs_little()
    {
        var claim = new byte[4 + 10];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(claim, ControlProtocol.MaxFrameBytes);
        using var stream = new MemoryStream(claim);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<ControlProtocolException>(async () => await ControlFrame.ReadAsync(stream, CancellationToken.None));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal($"truncated frame (10 of {ControlProtocol.MaxFrameBytes} bytes)", e.Message);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes for 10 received");
    }

    [Fact]
    public async Task A_large_frame_still_arrives_whole_as_its_buffer_grows()
    {
        var body = new byte[300_000];
        new Random(3).NextBytes(body);
        using var stream = new MemoryStream(ControlFrame.Encode(body));
        Assert.Equal(body, await ControlFrame.ReadAsync(stream, CancellationToken.None));
    }
}
