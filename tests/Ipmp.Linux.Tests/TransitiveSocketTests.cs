using System.Net.NetworkInformation;
using Ipmp.Linux.Tests.Lab;
using Ipmp.Linux.Transitive;

namespace Ipmp.Linux.Tests;

/// <summary>Transitive probe frames on the real kernel: h0 and h1 are two NICs on one bridge (the switch).</summary>
public sealed class TransitiveSocketTests : IDisposable
{
    private const ushort EtherType = 0x88B5;
    private readonly NetLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private static async Task<(byte[] Frame, PhysicalAddress From, byte Type)?> Next(TransitiveSocket s, TimeSpan wait)
    {
        var buffer = new byte[1500];
        var until = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < until)
        {
            if (s.TryReceive(buffer, out var n, out var from, out var type)) return (buffer[..n], from, type);
            await Task.Delay(5);
        }
        return null;
    }

    /// <summary>The next frame addressed to this NIC (its own outgoing copies are skipped, as the daemon does).</summary>
    private static async Task<(byte[] Frame, PhysicalAddress From)?> NextForUs(TransitiveSocket s, TimeSpan wait)
    {
        var until = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < until)
        {
            if (await Next(s, until - DateTime.UtcNow) is not { } f) return null;
            if (f.Type == TransitiveSocket.PacketHost) return (f.Frame, f.From);
        }
        return null;
    }

    [Fact]
    public async Task A_frame_goes_from_one_nic_to_the_other_through_the_switch_and_stops_at_a_dead_port()
    {
        using var client = _lab.HostClient();
        var h0 = await Eventually.Until(() => client.Link("h0"), l => l.IsRunning, "h0 running");
        var h1 = await Eventually.Until(() => client.Link("h1"), l => l.IsRunning, "h1 running");
        using var s0 = _lab.HostNs.Run(() => TransitiveSocket.Create(h0.Index, EtherType));
        using var s1 = _lab.HostNs.Run(() => TransitiveSocket.Create(h1.Index, EtherType));
        var mac1 = h1.HardwareAddress!;
        var payload = new byte[46];
        "IPMP"u8.CopyTo(payload);

        s0.Send(payload, mac1);
        var got = await NextForUs(s1, TimeSpan.FromSeconds(3));
        Assert.NotNull(got);
        Assert.Equal(payload, got.Value.Frame);
        Assert.Equal(h0.HardwareAddress, got.Value.From);
        // The sender sees only its own outgoing copy, never as addressed to it.
        Assert.Null(await NextForUs(s0, TimeSpan.FromMilliseconds(200)));

        // Carrier stays up, the port forwards nothing (STP state disabled): the frame is lost.
        Ip.Run("netns", "exec", _lab.Peer, "bridge", "link", "set", "dev", "p1", "state", "0");
        s0.Send(payload, mac1);
        Assert.Null(await NextForUs(s1, TimeSpan.FromMilliseconds(500)));
        Ip.Run("netns", "exec", _lab.Peer, "bridge", "link", "set", "dev", "p1", "state", "3");
        s0.Send(payload, mac1);
        Assert.NotNull(await NextForUs(s1, TimeSpan.FromSeconds(3)));
    }
}
