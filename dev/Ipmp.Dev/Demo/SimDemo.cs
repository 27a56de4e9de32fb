using System.Globalization;
using System.Net;
using Ipmp.Cli.Stat;
using Ipmp.Core.Status;
using Ipmp.Simulation;

namespace Ipmp.Dev.Demo;

/// <summary>
/// <c>ipmp demo --sim</c>: the real engine on the simulated link, under a simulated clock. Plays a cable
/// pull, a repair, a switch port that stops forwarding while carrier stays up, and its repair, printing a
/// timeline and ipmpstat views after each step. Exits 0 only if every data address ends up home.
/// </summary>
internal sealed class SimDemo(TextWriter output, TimeSpan fdt, int seed)
{
    private readonly IpmpStatRenderer _renderer = new(rows: int.MaxValue);
    private Simulation.Simulation _sim = null!;
    private int _logShown;

    public int Run()
    {
        _sim = new Simulation.Simulation(DemoLab.Config(fdt), DemoLab.Build, seed);
        Say($"IPMP demo on a simulated link (failure detection time {Ms(fdt)}, simulated clock, seed {seed})");
        Say("Group ipmp0: net0 and net1 active, net2 a standby. A router (192.168.10.1, fe80::1) answers probes.");

        Step("Starting up: test addresses configured, probe targets found from the routing table");
        _sim.RunFor(fdt * 3);
        Timeline();
        Show("-g", StatMode.Group);
        Show("-i", StatMode.Interface);
        Show("-an", StatMode.Address);
        Show("-tn", StatMode.Target);

        Step("Pulling the cable of net0 (carrier lost)");
        var t0 = _sim.Now;
        _sim.Do(n => n.PullCable("net0"));
        Timeline();
        Say($"  -> net0's addresses are on {Holder("192.168.10.50")} {Ms(_sim.Now - t0)} after the carrier event; the client reaches them: {Reach()}");
        Show("-i", StatMode.Interface);
        Show("-an", StatMode.Address);

        Step("Plugging net0 back in");
        t0 = _sim.Now;
        _sim.Do(n => n.PlugCable("net0"));
        var took = _sim.RunUntil(() => State("net0") == InterfaceState.Ok, fdt * 4);
        Timeline();
        Say($"  -> repair detected after {Ms(took)} (10 answered probes; limit 2 x FDT = {Ms(fdt * 2)}); net2 is a standby again");
        Show("-i", StatMode.Interface);
        Show("-an", StatMode.Address);

        Step("net1's switch port stops passing frames; its carrier stays up, so only probes can tell");
        t0 = _sim.Now;
        _sim.Do(n => n.KillPort("net1"));
        took = _sim.RunUntil(() => State("net1") == InterfaceState.Failed, fdt * 3);
        Timeline();
        Say($"  -> failure detected after {Ms(took)} (5 lost probes; FDT {Ms(fdt)}); standby net2 took over: {Holder("192.168.10.51")}; client reaches it: {Reach()}");
        Show("-i", StatMode.Interface);
        Show("-an", StatMode.Address);
        Show("-tn", StatMode.Target);

        Step("Repairing net1's switch port");
        _sim.Do(n => n.RepairPort("net1"));
        took = _sim.RunUntil(() => State("net1") == InterfaceState.Ok, fdt * 4);
        Timeline();
        Say($"  -> repair detected after {Ms(took)}");
        _sim.RunFor(fdt);
        Timeline();
        Show("-g", StatMode.Group);
        Show("-i", StatMode.Interface);
        Show("-an", StatMode.Address);

        var wrong = DemoLab.Home.Where(kv => Holder(kv.Key) != kv.Value).ToList();
        var reachable = Reach();
        output.WriteLine();
        if (wrong.Count == 0 && reachable)
        {
            Say($"Every data address is home and reachable ({_sim.Now.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s of simulated time, {_sim.Engine.Counters.ProbesSent} probes).");
            return Transitive();
        }
        Say("NOT home: " + string.Join(", ", wrong.Select(kv => $"{kv.Key} on {Holder(kv.Key) ?? "nothing"}")));
        return 1;
    }

    /// <summary>The same link with no test address at all (TRANSITIVE_PROBING=yes): a dead port on the standby,
    /// which has no IP address of any kind, found by link-layer probes.</summary>
    private int Transitive()
    {
        _sim = new Simulation.Simulation(DemoLab.TransitiveConfig(fdt), DemoLab.Build, seed);
        _logShown = 0;
        output.WriteLine();
        Say("Transitive probing: the same group without any test address (TRANSITIVE_PROBING=yes in mpathd).");
        Say("net0 probes the router with ICMP from its data address; net1 and net2 exchange link-layer probes with it.");

        Step("Starting up");
        _sim.RunFor(fdt * 3);
        Timeline();
        Show("-tn", StatMode.Target);

        Step("The standby net2's switch port stops passing frames; carrier stays up and net2 has no IP address");
        _sim.Do(n => n.KillPort("net2"));
        var took = _sim.RunUntil(() => State("net2") == InterfaceState.Failed, fdt * 3);
        Timeline();
        Say($"  -> failure detected after {Ms(took)} (5 lost link-layer probes; FDT {Ms(fdt)})");
        Show("-i", StatMode.Interface);

        Step("Repairing net2's switch port");
        _sim.Do(n => n.RepairPort("net2"));
        var repaired = _sim.RunUntil(() => State("net2") == InterfaceState.Ok, fdt * 4);
        Timeline();
        Say($"  -> repair detected after {Ms(repaired)} (10 answered link-layer probes); addresses on the NICs: only the data addresses");
        Show("-i", StatMode.Interface);
        output.WriteLine();
        var ok = took is not null && took <= fdt && repaired is not null && repaired <= fdt * 2;
        Say(ok ? "The standby's dead port was found and its repair seen without a test address."
               : "The standby's dead port was NOT handled within FDT / 2 x FDT.");
        return ok ? 0 : 1;
    }

    private string? Holder(string address) => _sim.Network.WhoHas(IPAddress.Parse(address));

    private bool Reach() => DemoLab.DataAddresses.All(a => _sim.Network.CanReach(_sim.Network.Host("client"), IPAddress.Parse(a)));

    private InterfaceState State(string nic) => _sim.Interface(nic).State;

    private void Step(string title)
    {
        output.WriteLine();
        output.WriteLine($"== [{Clock(_sim.Now)}] {title}");
    }

    private void Say(string text) => output.WriteLine(text);

    private void Timeline()
    {
        foreach (var (at, message) in _sim.Log.Skip(_logShown))
            output.WriteLine($"   {Clock(at)}  {message.Text}");
        _logShown = _sim.Log.Count;
    }

    private void Show(string flags, StatMode mode)
    {
        output.WriteLine();
        output.WriteLine($"$ ipmpstat {flags}");
        var options = StatOptions.ForMode(mode, numeric: flags.Contains('n'));
        output.Write(_renderer.Render(_sim.Snapshot(), options));
    }

    private static string Clock(TimeSpan t) => t.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture).PadLeft(8) + "s";

    private static string Ms(TimeSpan? t) => t is { } v
        ? (v.TotalMilliseconds < 1000
            ? v.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture) + " ms"
            : v.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s")
        : "never";
}
