using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ipmp.Integration.Tests.Lab;
using Ipmp.Lab;
using Ipmp.Linux.Namespaces;
using Xunit.Abstractions;

namespace Ipmp.Integration.Tests;

/// <summary>
/// What a hostile or broken network can do to the daemon: flood one test address with echo replies, flap a
/// link at 20 Hz. The other members stay in service, memory and logs stay bounded.
/// </summary>
public sealed class AbuseTests(ITestOutputHelper output)
{
    private const long RssGrowthLimitKiB = 20 * 1024;

    [Fact]
    public async Task An_echo_reply_flood_to_one_test_address_leaves_every_member_in_service()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 1000);
        lab.StartDaemon();
        await ProbeWatch.UntilAnsweredAsync(lab, "net0", "net1", "net2");
        Eventually.Until(() => lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 on net1", lab.Describe);
        var rss = lab.DaemonRssKiB();
        var logBefore = lab.Log.Length;

        // Replies with someone else's identifier, as fast as one thread can send them, for 10 s.
        long sent;
        using (var ns = NetworkNamespace.Open(lab.ClientNs))
            sent = ns.Run(() => Flood(IPAddress.Parse("192.168.10.10"), TimeSpan.FromSeconds(10), maxPackets: 5_000_000));

        output.WriteLine($"flood: {sent} replies in 10 s; RSS {rss} -> {lab.DaemonRssKiB()} KiB; log +{lab.Log.Length - logBefore} bytes");
        Assert.True(sent > 10_000, $"only {sent} replies sent");
        Assert.True(lab.DaemonRunning);
        var log = lab.Log[logBefore..];
        // The flooded member too: its socket's kernel filter drops replies that carry another identifier.
        Assert.DoesNotContain(log.Split('\n'), l => l.Contains("failure", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("net1", lab.Holder("192.168.10.51"));
        var growth = lab.DaemonRssKiB() - rss;
        Assert.True(growth <= RssGrowthLimitKiB, $"RSS grew by {growth} KiB under the flood");
        Assert.True(log.Length < 64 * 1024, $"{log.Length} bytes of log for {sent} flood packets");
    }

    [Fact]
    public void A_link_flapping_at_20_hz_for_30_s_is_damped_and_the_others_stay_in_service()
    {
        using var lab = new NamespaceLab();
        lab.WriteStandardConfig(fdtMs: 1000);
        lab.StartDaemon();
        Eventually.Until(() => lab.Holder("192.168.10.51") == "net1", TimeSpan.FromSeconds(3), ".51 on net1", lab.Describe);
        var rss = lab.DaemonRssKiB();
        var logBefore = lab.Log.Length;

        var flaps = 0;
        var sw = Stopwatch.StartNew();
        var holders = new List<string?>();
        // One ip process for all the flaps: spawning two per flap could not keep 20 Hz on a loaded machine.
        using (var ip = lab.SwitchBatch())
        {
            var port = NamespaceLab.Port("net0");
            while (sw.Elapsed < TimeSpan.FromSeconds(30))
            {
                ip.Send($"link set {port} down");
                Thread.Sleep(20);
                ip.Send($"link set {port} up");
                Thread.Sleep(20);
                flaps++;
                if (flaps % 20 == 0) holders.Add(lab.Holder("192.168.10.51"));
            }
            ip.Sync(TimeSpan.FromSeconds(30));   // every flap has happened
        }
        output.WriteLine($"flap: {flaps} flaps in {sw.Elapsed.TotalSeconds:F1} s; RSS {rss} -> {lab.DaemonRssKiB()} KiB; log +{lab.Log[logBefore..].Split('\n').Length} lines");
        Assert.True(flaps >= 300, $"only {flaps} flaps");
        Assert.True(lab.DaemonRunning);
        Assert.All(holders, h => Assert.Equal("net1", h));
        var log = lab.Log[logBefore..];
        var lines = log.Split('\n').Length;
        // Each flap is two kernel events; the log keeps bursts and summaries, not one line per event.
        Assert.True(lines < flaps / 2, $"{lines} log lines for {flaps} flaps");
        var growth = lab.DaemonRssKiB() - rss;
        Assert.True(growth <= RssGrowthLimitKiB, $"RSS grew by {growth} KiB while flapping");
        // Once the link is stable again, the address comes home (flap damping ends).
        Eventually.Until(() => lab.Holder("192.168.10.50") == "net0", TimeSpan.FromSeconds(90), ".50 home after the flapping", lab.Describe);
    }

    private static TimeSpan Max(TimeSpan t) => t > TimeSpan.Zero ? t : TimeSpan.Zero;

    /// <summary>ICMP echo replies (identifier 0xdead, never ours) to <paramref name="target"/>; bounded in count and time.</summary>
    private static long Flood(IPAddress target, TimeSpan duration, long maxPackets)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp);
        var packet = new byte[28];
        packet[0] = 0;   // echo reply
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0xdead);
        var end = new IPEndPoint(target, 0);
        var sw = Stopwatch.StartNew();
        long n = 0;
        while (n < maxPackets && sw.Elapsed < duration)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), (ushort)n);
            packet[2] = packet[3] = 0;
            var sum = Checksum(packet);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sum);
            try
            {
                s.SendTo(packet, end);
                n++;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock)
            {
            }
        }
        return n;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        while (sum >> 16 != 0) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)~sum;
    }
}
