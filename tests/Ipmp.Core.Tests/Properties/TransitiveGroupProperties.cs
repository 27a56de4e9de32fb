using System.Net;
using CsCheck;
using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Core.Status;
using Ipmp.Core.Tests.Scenarios;

namespace Ipmp.Core.Tests.Properties;

/// <summary>
/// The group invariants for groups without any test address (TRANSITIVE_PROBING=yes): random topologies (2-5
/// NICs, standbys, IPv4 data addresses on some of them) and random sequences of single faults (one switch
/// port dead or one cable pulled at a time, repaired later), whole-switch failures and the targets going away. After each fault the
/// engine gets 5 × FDT to settle; then, checked on the simulated kernel and client:
/// <list type="bullet">
/// <item>no address but the data addresses and link-locals is on any NIC, at every step;</item>
/// <item>every data address is on exactly one NIC, and on a working one whenever one works;</item>
/// <item>the client reaches every data address whenever a NIC works, and its neighbour entry for a data
/// address, once it has one, is always the MAC of the NIC holding it;</item>
/// <item>every working NIC shows ok and every broken one failed; the group is ok, degraded or failed to match.</item>
/// </list>
/// Two faults at once are left out on purpose: with the ICMP prober's port dead and another member broken
/// too, a transitive member has nothing left to prove its path with (README, "what it cannot see").
/// </summary>
public class TransitiveGroupProperties
{
    public enum Kind { KillPort, PullCable, RepairAll, SwitchDies, TargetsDie }

    public sealed record Topology(int FdtMs, bool[] Standby, int[] DataAddresses)
    {
        public override string ToString() => $"FDT={FdtMs}ms " + string.Join(' ',
            Standby.Select((s, i) => $"net{i}[{(s ? "standby," : "")}data={DataAddresses[i]}]"));
    }

    public readonly record struct Step(Kind Kind, int Nic)
    {
        public override string ToString() => $"{Kind}({Nic})";
    }

    private static readonly Gen<Topology> GenTopology =
        Gen.Int[2, 5].SelectMany(n => Gen.Select(Gen.OneOf(700, 1400), Gen.Bool.Array[n], Gen.Int[0, 2].Array[n],
            (fdt, standby, data) => new Topology(fdt, standby, data)))
        .Where(t => t.DataAddresses.Sum() > 0 && t.Standby.Any(s => !s));

    private static readonly Gen<Step> GenStep = Gen.Select(
        Gen.Frequency((5, Gen.Const(Kind.KillPort)), (3, Gen.Const(Kind.PullCable)), (5, Gen.Const(Kind.RepairAll)),
            (1, Gen.Const(Kind.SwitchDies)), (1, Gen.Const(Kind.TargetsDie))),
        Gen.Int[0, 4], (k, n) => new Step(k, n));

    [Fact]
    public void Single_faults_leave_every_data_address_on_a_working_member_without_test_addresses()
    {
        var explore = int.TryParse(Environment.GetEnvironmentVariable("IPMP_PROPERTY_ITER"), out var n) ? n : 0;
        Gen.Select(GenTopology, GenStep.Array[1, 8]).Sample((t, steps) => Run(t, steps),
            seed: explore > 0 ? null : "3JfQmv0b2rXa", iter: explore > 0 ? explore : 40,
            print: x => $"{x.Item1}\n  {string.Join("\n  ", x.Item2)}");
    }

    private static void Run(Topology t, Step[] steps)
    {
        var fdt = TimeSpan.FromMilliseconds(t.FdtMs);
        var count = t.Standby.Length;
        var names = Enumerable.Range(0, count).Select(i => $"net{i}").ToArray();
        var data = new List<IpPrefix>();
        var nics = new List<InterfaceConfig>();
        for (var i = 0; i < count; i++)
        {
            var mine = Enumerable.Range(0, t.DataAddresses[i]).Select(j => $"192.168.10.{50 + i * 4 + j}/24").ToArray();
            nics.Add(Lab.Nic(names[i], 0, mine, t.Standby[i]));
            data.AddRange(mine.Select(IpPrefix.Parse));
        }
        var c = Lab.Config(fdt, true, true, default, [.. nics]);
        var sim = Lab.Start(c with { Settings = c.Settings with { TransitiveProbing = true } });
        var client = sim.Network.Host("client");
        var dataAddresses = data.Select(d => d.Address).ToHashSet();
        var everHeld = new HashSet<(IPAddress, string)>();
        sim.AfterStep = () =>
        {
            foreach (var nic in sim.Network.Nics)
                foreach (var a in sim.Network.AddressesOf(nic.Name))
                    if (!a.Address.IsIPv6LinkLocal && !dataAddresses.Contains(a.Address))
                        throw new Xunit.Sdk.XunitException($"{a} on {nic.Name}: not a data address\n{sim.Dump()}");
            foreach (var a in dataAddresses)
                foreach (var h in sim.Network.AllHolders(a)) everHeld.Add((a, sim.Network.Nic(h).Mac.ToString()));
            // Stale for a moment after a move (until the announcement) is failover; a MAC that never held the
            // address would be a neighbour taught wrong.
            foreach (var (address, mac) in client.NeighbourCache)
                if (dataAddresses.Contains(address) && !everHeld.Contains((address, mac.ToString())))
                    throw new Xunit.Sdk.XunitException($"the client has {address} at {mac}, which never held it\n{sim.Dump()}");
        };
        sim.RunFor(TimeSpan.FromSeconds(2) + fdt * 2);   // every member has had an answer: quiet periods over

        var trace = new List<string>();
        foreach (var step in steps)
        {
            var i = step.Nic % count;
            trace.Add(step.ToString());
            var router = sim.Network.Host("router");
            var broken = sim.Network.Nics.Any(x => !x.Works) || !router.Up;
            switch (step.Kind)
            {
                case Kind.KillPort when !broken: sim.Do(x => x.KillPort(names[i])); break;
                case Kind.PullCable when !broken: sim.Do(x => x.PullCable(names[i])); break;
                case Kind.SwitchDies when !broken: sim.Do(x => { foreach (var nic in names) x.KillPort(nic); }); break;
                case Kind.TargetsDie when !broken: sim.Do(_ => router.Up = false); break;
                case Kind.RepairAll:
                    sim.Do(x =>
                    {
                        router.Up = true;
                        foreach (var nic in names)
                        {
                            x.RepairPort(nic);
                            if (!x.Nic(nic).Port.Carrier) x.PlugCable(nic);
                        }
                    });
                    break;
            }
            sim.RunFor(fdt * 5);
            Check(sim, names, data, trace);
        }
    }

    private static void Check(Simulation.Simulation sim, string[] names, List<IpPrefix> data, List<string> trace)
    {
        string Context() => $"after {string.Join(", ", trace)}\n{sim.Dump()}";
        var snap = sim.Snapshot();
        // With the targets gone nothing can be shown to work: every member fails (a group failure).
        var working = sim.Network.Host("router").Up ? names.Where(n => sim.Network.Nic(n).Works).ToList() : [];
        foreach (var n in names)
        {
            var shown = snap.Interfaces.First(s => s.Name == n).State;
            var expected = working.Contains(n) ? InterfaceState.Ok : InterfaceState.Failed;
            Xunit.Assert.True(shown == expected, $"{n} shows {shown}, expected {expected}: {Context()}");
        }
        var group = snap.Groups.First(g => g.Name == Lab.Group).State;
        var expectedGroup = working.Count == 0 ? GroupState.Failed : working.Count == names.Length ? GroupState.Ok : GroupState.Degraded;
        Xunit.Assert.True(group == expectedGroup, $"group is {group}, expected {expectedGroup}: {Context()}");
        foreach (var a in data)
        {
            var holders = sim.Network.AllHolders(a.Address);
            Xunit.Assert.True(holders.Count == 1, $"{a} is on [{string.Join(",", holders)}]: {Context()}");
            if (working.Count == 0) continue;
            Xunit.Assert.True(working.Contains(holders[0]), $"{a} is on {holders[0]}, which does not work: {Context()}");
            Xunit.Assert.True(sim.Network.CanReach(sim.Network.Host("client"), a.Address), $"the client cannot reach {a}: {Context()}");
        }
    }
}
