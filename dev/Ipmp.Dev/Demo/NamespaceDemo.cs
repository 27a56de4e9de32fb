using System.Diagnostics;
using System.Globalization;
using Ipmp.Cli.Stat;
using Ipmp.Host.Control;
using Ipmp.Lab;

namespace Ipmp.Dev.Demo;

/// <summary>
/// <c>ipmp demo</c> as root: a real lab in network namespaces (three NICs on a bridge, a router, a
/// client), the real daemon in it, a pulled cable, a dead switch port and their repairs, with the
/// daemon's timeline, ipmpstat views and what the kernel and the client see. Everything it made is removed
/// at the end, also on Ctrl-C.
/// </summary>
internal sealed class NamespaceDemo(TextWriter output, int fdtMs)
{
    private NamespaceLab _lab = null!;
    private ControlClient _client = null!;
    private int _logShown;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var lab = _lab = new NamespaceLab();
        using var cancel = ct.Register(() => lab.Dispose());
        _client = new ControlClient(lab.SocketPath);
        Say($"IPMP demo in network namespaces {lab.Prefix}* (failure detection time {fdtMs} ms)");
        Say("Host: net0 (192.168.10.50) and net1 (192.168.10.51) active, net2 a standby; router 192.168.10.1; client 192.168.10.100.");

        lab.WriteStandardConfig(fdtMs, v6: true);
        Step("Starting the daemon");
        lab.StartDaemon();
        await WaitAsync(() => lab.Holder("192.168.10.50") == "net0" && lab.Holder("192.168.10.51") == "net1", 5000, ct);
        await Task.Delay(fdtMs, ct);
        Timeline();
        await ShowAsync("-g");
        await ShowAsync("-i");
        await ShowAsync("-an");
        await ShowAsync("-tn");
        // The client talks to .50, so it has a neighbour entry that must follow the address.
        Shell.Run("ip", "netns", "exec", lab.ClientNs, "bash", "-c", "echo > /dev/udp/192.168.10.50/9");
        await WaitAsync(() => lab.ClientNeighbour("192.168.10.50") is not null, 2000, ct);
        Client();

        Step("Pulling the cable of net0 (its switch-side veth goes down)");
        var t = Stopwatch.StartNew();
        lab.PullCable("net0");
        await WaitAsync(() => lab.Holder("192.168.10.50") == "net2", 3000, ct);
        Say($"  -> 192.168.10.50 is on net2 {Ms(t.Elapsed)} after the pull (kernel view, polled)");
        await WaitAsync(() => lab.ClientNeighbour("192.168.10.50") == lab.Mac("net2"), 2000, ct);
        Timeline();
        Client();
        await ShowAsync("-i");
        await ShowAsync("-an");

        Step("Plugging net0 back in");
        t.Restart();
        lab.PlugCable("net0");
        await WaitAsync(() => lab.Holder("192.168.10.50") == "net0", fdtMs * 4, ct);
        Say($"  -> repaired and failed back after {Ms(t.Elapsed)} (10 answered probes; 2 x FDT = {fdtMs * 2} ms)");
        Timeline();
        await ShowAsync("-i");

        Step("net1's switch port stops passing frames; carrier stays up, only probes can tell");
        t.Restart();
        lab.KillPort("net1");
        await WaitAsync(() => lab.Holder("192.168.10.51") == "net2", fdtMs * 4, ct);
        Say($"  -> detected and failed over after {Ms(t.Elapsed)} (FDT {fdtMs} ms)");
        Timeline();
        await ShowAsync("-i");
        await ShowAsync("-an");
        await ShowAsync("-g");

        Step("Repairing net1's switch port");
        t.Restart();
        lab.RepairPort("net1");
        await WaitAsync(() => lab.Holder("192.168.10.51") == "net1", fdtMs * 4, ct);
        Say($"  -> repaired after {Ms(t.Elapsed)}");
        Timeline();
        await ShowAsync("-g");
        await ShowAsync("-i");
        await ShowAsync("-an");

        var home = lab.Holder("192.168.10.50") == "net0" && lab.Holder("192.168.10.51") == "net1" && lab.Holder("2001:db8:10::50") == "net0";
        Step(home ? "Every data address is home. Removing the lab." : "NOT every address is home. Removing the lab.");
        return home ? 0 : 1;
    }

    private async Task WaitAsync(Func<bool> condition, int timeoutMs, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.ElapsedMilliseconds > timeoutMs) throw new TimeoutException($"the lab did not reach the expected state\n{_lab.Describe()}");
            await Task.Delay(10, ct);
        }
    }

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine($"== [{_clock.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture),8}s] {title}");
    }

    private void Say(string text) => output.WriteLine(text);

    /// <summary>The daemon's log since the last look: its timeline, with its own timestamps.</summary>
    private void Timeline()
    {
        var lines = _lab.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Skip(_logShown)) output.WriteLine("   " + line);
        _logShown = lines.Length;
    }

    private void Client() =>
        Say($"  client's neighbour entry for 192.168.10.50: {_lab.ClientNeighbour("192.168.10.50") ?? "none"} " +
            $"(net0 {_lab.Mac("net0")}, net2 {_lab.Mac("net2")})");

    private async Task ShowAsync(string flags)
    {
        var parsed = StatOptions.Parse([flags]);
        var snapshot = await _client.SnapshotAsync();
        output.WriteLine();
        output.WriteLine($"$ ipmpstat {flags}");
        output.Write(new IpmpStatRenderer(rows: int.MaxValue).Render(snapshot, parsed.Options!));
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms";
}
