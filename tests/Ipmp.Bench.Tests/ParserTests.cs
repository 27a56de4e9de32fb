using Ipmp.Bench.Figures;
using Ipmp.Bench.Lab;

namespace Ipmp.Bench.Tests;

public sealed class ParserTests
{
    [Fact]
    public void Proc_stat_cpu_seconds_skip_a_command_name_with_spaces()
    {
        var stat = "1234 (dotnet (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 0 0";
        Assert.Equal(3.0, ProcStat.ParseCpuSeconds(stat, 100));
    }

    [Fact]
    public void A_gratuitous_arp_frame_is_recognised()
    {
        var frame = new byte[42];
        frame[12] = 0x08; frame[13] = 0x06;
        var arp = frame.AsSpan(14);
        arp[7] = 1;                                  // request
        byte[] mac = [0x02, 0, 0, 0, 0, 0x05];
        mac.CopyTo(arp[8..]);
        byte[] ip = [192, 168, 10, 50];
        ip.CopyTo(arp[14..]);
        ip.CopyTo(arp[24..]);
        var g = GarpCapture.Parse(frame);
        Assert.NotNull(g);
        Assert.Equal("192.168.10.50", g.Value.Address.ToString());
        Assert.Equal("02:00:00:00:00:05", g.Value.Mac);
        arp[27] = 51;                                // an ordinary request for another address
        Assert.Null(GarpCapture.Parse(frame));
    }
}
