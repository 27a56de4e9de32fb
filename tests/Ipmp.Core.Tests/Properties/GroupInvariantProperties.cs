using System.Collections.Immutable;
using System.Net;
using System.Text;
using CsCheck;
using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Core.Status;
using Ipmp.Core.Tests.Scenarios;
using Ipmp.Simulation;

namespace Ipmp.Core.Tests.Properties;

/// <summary>
/// Random topologies and random fault/repair sequences, with the group invariants checked on the simulated
/// kernel (who really holds each address, whether the client really reaches it), against an independent
/// model of which members are usable.
///
/// "Usable" (the model, never the engine's word): the NIC is present, its carrier is up, its switch port
/// forwards, it is not offline, and — if it probes — its probe targets answer. A NIC whose targets are all
/// silent is therefore not usable even though its data path works: that is what the engine must conclude
/// (and when every member probes, it is a group failure).
///
/// The engine gets time to see each change: link events and offline at once, a probe failure within one
/// FDT (after the 40 s quiet period if the NIC has just appeared and not had an answer yet; online,
/// link-up and a new test address start none), a
/// repair within 2 × FDT (after the flap-damping minute for a link-only NIC that came up 3 times in a minute).
/// Until then the member is "unsettled" and the settled invariants wait.
///
/// One case is legitimately undecidable: a probing NIC that has no targets (PI_NOTARGETS) is "assumed
/// working" (illumos 3.13). It is treated as indeterminate: it may or may not count as usable.
/// </summary>
public class GroupInvariantProperties
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan FlapWindow = TimeSpan.FromSeconds(60);

    public enum Kind
    {
        PullCable, PlugCable, KillPort, RepairPort, Unplug, Plug, Offline, Online,
        TargetsSilent, TargetsAnswer, DeleteDataAddress, DeleteTestAddress, Wait,
    }

    public sealed record Topology(int FdtMs, bool Failback, bool Router, int GroupAddresses, NicSpec[] Nics)
    {
        public override string ToString() =>
            $"FDT={FdtMs}ms FAILBACK={(Failback ? "yes" : "no")} {(Router ? "router" : "multicast")} groupAddrs={GroupAddresses} " +
            string.Join(' ', Nics.Select((n, i) => $"net{i}[{n}]"));
    }

    public sealed record NicSpec(bool Standby, bool Probing, int DataAddresses, bool MissingAtStart)
    {
        public override string ToString() =>
            $"{(Standby ? "standby," : "")}{(Probing ? "probe" : "link-only")},data={DataAddresses}{(MissingAtStart ? ",missing" : "")}";
    }

    public readonly record struct Step(Kind Kind, int Nic, int GapMs)
    {
        public override string ToString() => $"{Kind}({Nic}) +{GapMs}ms";
    }

    public sealed record Scenario(Topology Topology, Step[] Steps)
    {
        public override string ToString() => $"{Topology}\n  " + string.Join("\n  ", Steps);
    }

    private static readonly Gen<NicSpec> GenNic = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 4],
        (s, p, d, m) => new NicSpec(s == 0, p != 0, d, m == 0));

    private static readonly Gen<Topology> GenTopology = Gen.Select(Gen.OneOf(700, 1400), Gen.Bool, Gen.Int[0, 3],
        Gen.Int[0, 3], GenNic.Array[2, 5],
        (fdt, fb, r, ga, nics) => new Topology(fdt, fb, r != 0, ga, nics));

    private static readonly Gen<Kind> GenKind = Gen.Frequency(
        (4, Gen.Const(Kind.PullCable)), (4, Gen.Const(Kind.PlugCable)), (4, Gen.Const(Kind.KillPort)),
        (4, Gen.Const(Kind.RepairPort)), (2, Gen.Const(Kind.Unplug)), (2, Gen.Const(Kind.Plug)),
        (2, Gen.Const(Kind.Offline)), (2, Gen.Const(Kind.Online)), (1, Gen.Const(Kind.TargetsSilent)),
        (1, Gen.Const(Kind.TargetsAnswer)), (2, Gen.Const(Kind.DeleteDataAddress)),
        (1, Gen.Const(Kind.DeleteTestAddress)), (2, Gen.Const(Kind.Wait)));

    /// <summary>Mostly short gaps (inside the detection windows), sometimes long ones (past the quiet period
    /// and the flap window).</summary>
    private static readonly Gen<int> GenGap = Gen.Frequency(
        (3, Gen.Const(0)), (8, Gen.Int[1, 3000]), (2, Gen.Int[3000, 12000]), (1, Gen.Int[40000, 65000]));

    private static readonly Gen<Step> GenStep = Gen.Select(GenKind, Gen.Int[0, 4], GenGap, (k, n, g) => new Step(k, n, g));

    private static readonly Gen<Scenario> GenScenario =
        Gen.Select(GenTopology, GenStep.Array[1, 20], (t, s) => new Scenario(t, s));

    [Fact]
    public void Data_addresses_stay_on_usable_members_and_the_group_reflects_its_members()
    {
        // A fixed seed keeps CI reproducible; IPMP_PROPERTY_ITER=5000 explores fresh random seeds (CsCheck
        // prints the seed and the smallest failing scenario it found; CsCheck_Seed=... replays it).
        var explore = int.TryParse(Environment.GetEnvironmentVariable("IPMP_PROPERTY_ITER"), out var n) ? n : 0;
        GenScenario.Sample(s => new Run(s).Execute(), seed: explore > 0 ? null : "0N0XIzNsQ0O2",
            iter: explore > 0 ? explore : 100, print: s => s.ToString());
    }

    /// <summary>One scenario: the simulation plus the independent model of what is usable.</summary>
    private sealed class Run
    {
        private readonly Scenario _s;
        private readonly Topology _t;
        private readonly Simulation.Simulation _sim;
        private readonly int _n;
        private readonly string[] _names;
        private readonly TimeSpan _fdt, _interval, _slack;
        private readonly bool[] _offline;
        private readonly TimeSpan[] _settleAt, _quietUntil, _quietStart;
        private readonly TimeSpan?[] _usableSince;
        private readonly TimeSpan?[][] _linkUps;
        private readonly List<IpPrefix> _data = [];
        private readonly int _capacity;
        private bool _targetsAnswer = true;
        private readonly List<string> _trace = [];

        public Run(Scenario s)
        {
            _s = s;
            _t = s.Topology;
            _n = _t.Nics.Length;
            _names = [.. Enumerable.Range(0, _n).Select(i => $"net{i}")];
            _fdt = TimeSpan.FromMilliseconds(_t.FdtMs);
            _interval = _fdt / 7;
            _slack = _interval * 2 + TimeSpan.FromMilliseconds(5);
            _offline = new bool[_n];
            _settleAt = new TimeSpan[_n];
            _quietUntil = new TimeSpan[_n];
            _quietStart = new TimeSpan[_n];
            _usableSince = new TimeSpan?[_n];
            _linkUps = [.. Enumerable.Range(0, _n).Select(_ => new TimeSpan?[2])];
            _capacity = Math.Max(1, _t.Nics.Count(n => !n.Standby));

            var nics = new List<InterfaceConfig>();
            for (var i = 0; i < _n; i++)
            {
                var spec = _t.Nics[i];
                var data = Enumerable.Range(0, spec.DataAddresses).Select(j => $"192.168.10.{50 + i * 4 + j}/24").ToArray();
                nics.Add(Lab.Nic(_names[i], spec.Probing ? 10 + i : 0, data, spec.Standby));
                _data.AddRange(data.Select(IpPrefix.Parse));
            }
            var groupAddrs = Enumerable.Range(0, _t.GroupAddresses).Select(k => IpPrefix.Parse($"192.168.10.{80 + k}/24")).ToList();
            _data.AddRange(groupAddrs);
            var config = Lab.Config(_fdt, _t.Failback, true, [.. groupAddrs], [.. nics]);
            _sim = new Simulation.Simulation(config, net =>
            {
                for (var i = 0; i < _n; i++) net.AddNic(_names[i], present: !_t.Nics[i].MissingAtStart);
                if (_t.Router) net.AddRouter("router", "192.168.10.1");
                net.AddHost("host2", "192.168.10.2");
                net.AddHost("client", "192.168.10.100");
            }, seed: StableSeed(s.ToString()));
            for (var i = 0; i < _n; i++)
            {
                if (!Present(i)) continue;
                RestartQuiet(i);
                _settleAt[i] = Now + _interval * 3 + _slack;    // multicast discovery, first probes
            }
            Observe();
            TrackAnnouncements();
            _sim.AfterStep = StepInvariants;
        }

        /// <summary>The simulation's own randomness (probe jitter) follows from the scenario, so a printed
        /// counterexample replays exactly (string.GetHashCode differs between processes).</summary>
        private static int StableSeed(string text)
        {
            var h = 2166136261u;
            foreach (var c in text) h = (h ^ c) * 16777619u;
            return (int)(h & 0x7FFFFFFF);
        }

        private TimeSpan Now => _sim.Now;
        private SimNic Nic(int i) => _sim.Network.Nic(_names[i]);
        private bool Present(int i) => Nic(i).Present;
        private bool Works(int i) => Nic(i).Works;
        private bool Probing(int i) => _t.Nics[i].Probing;
        private bool Usable(int i) => Works(i) && !_offline[i] && (!Probing(i) || _targetsAnswer);
        private bool Settled(int i) => Now >= _settleAt[i];

        public void Execute()
        {
            try
            {
                RunGap(TimeSpan.FromMilliseconds(10));
                foreach (var step in _s.Steps)
                {
                    Observe();
                    Apply(step);
                    Observe();
                    StepInvariants();
                    RunGap(TimeSpan.FromMilliseconds(step.GapMs));
                }
                // Long enough for every quiet period, flap window and repair to end: a full check at the end.
                Observe();
                RunGap(TimeSpan.FromSeconds(105));
                Assert(Enumerable.Range(0, _n).All(Settled), "everything settles eventually");
                SettledInvariants();
            }
            catch (Exception e) when (e is not InvariantException)
            {
                throw new InvariantException($"{e.GetType().Name}: {e.Message}\n{Context()}", e);
            }
        }

        private void RunGap(TimeSpan gap)
        {
            var end = Now + gap;
            while (true)
            {
                var settle = _settleAt.Max();
                if (settle > Now && settle <= end)
                {
                    RunTo(settle);
                    SettledInvariants();
                    continue;
                }
                RunTo(end);
                if (Now >= settle) SettledInvariants();
                return;
            }
        }

        private void RunTo(TimeSpan t)
        {
            // Keep the quiet-period model current inside long gaps: it is updated at least every second.
            while (Now < t)
            {
                var next = Now + TimeSpan.FromSeconds(1) < t ? Now + TimeSpan.FromSeconds(1) : t;
                _sim.RunFor(next - Now);
                Observe();
            }
        }

        // ---- the model ----

        /// <summary>Tracks since when each NIC is usable, and ends a quiet period early once the NIC has been
        /// usable long enough for a probe to have been answered (the engine ends it at the first ack).</summary>
        private void Observe()
        {
            for (var i = 0; i < _n; i++)
            {
                var usable = Usable(i);
                if (!usable) _usableSince[i] = null;
                else _usableSince[i] ??= Now;
                if (_quietUntil[i] > Now && _usableSince[i] is { } since)
                {
                    // Discovery (multicast mode) takes a round, then one unicast probe must be answered.
                    var answeredBy = (since > _quietStart[i] ? since : _quietStart[i]) + _interval * 4 + TimeSpan.FromMilliseconds(5);
                    if (answeredBy <= Now && answeredBy < _quietUntil[i]) _quietUntil[i] = answeredBy;
                }
            }
        }

        private void RestartQuiet(int i)
        {
            if (!Probing(i)) return;
            _quietStart[i] = Now;
            _quietUntil[i] = Now + Quiet;
        }

        private TimeSpan FailBound(int i) => (_quietUntil[i] > Now ? _quietUntil[i] : Now) + _fdt + _slack;
        private TimeSpan RepairBound() => Now + _fdt * 2 + _slack;

        private void Expect(int i, TimeSpan at)
        {
            if (at > _settleAt[i]) _settleAt[i] = at;
        }

        private void Apply(Step step)
        {
            var before = Enumerable.Range(0, _n).Select(Usable).ToArray();
            ApplyCore(step);
            // Entering a group failure flushes every host target list (illumos 3.10 step 5): in multicast mode
            // a member still on its way to a repair rediscovers targets and starts its 10 answered probes
            // again once the loss of another member is detected.
            if (_t.Router) return;
            // A member that works again finds host targets and hands them to every member (illumos 3.5): one
            // that had none (flushed by a group failure, say) and whose path is dead can only now fail.
            if (Enumerable.Range(0, _n).Any(k => !before[k] && Usable(k)))
                for (var k = 0; k < _n; k++)
                    if (Probing(k) && Present(k) && !_offline[k] && !Usable(k)) Expect(k, FailBound(k) + _interval * 3);
            for (var k = 0; k < _n; k++)
            {
                if (!before[k] || Usable(k)) continue;
                var detected = Works(k) && !_offline[k] ? FailBound(k) : Now;
                for (var j = 0; j < _n; j++)
                    if (j != k && Probing(j) && _settleAt[j] > Now) Expect(j, detected + _fdt * 2 + _slack);
            }
        }

        private void ApplyCore(Step step)
        {
            var i = step.Nic % _n;
            var name = _names[i];
            var net = _sim.Network;
            var nic = Nic(i);
            _trace.Add($"{Now.TotalMilliseconds,9:F1} {step.Kind}({name})");
            switch (step.Kind)
            {
                case Kind.PullCable:
                    net.PullCable(name);
                    break;
                case Kind.PlugCable:
                {
                    var wasDown = !nic.Port.Carrier;
                    net.PlugCable(name);
                    if (!nic.Present || !wasDown) break;
                    var older = _linkUps[i][0];
                    _linkUps[i][0] = _linkUps[i][1];
                    _linkUps[i][1] = Now;
                    if (_offline[i]) break;
                    if (Probing(i)) Expect(i, Usable(i) ? RepairBound() : FailBound(i));
                    else if (older is { } o && Now - o < FlapWindow) Expect(i, o + FlapWindow + _slack);
                    break;
                }
                case Kind.KillPort:
                    if (!Probing(i)) break;     // undetectable on a link-only NIC by design: not generated
                    net.KillPort(name);
                    if (nic.Present && !_offline[i]) Expect(i, FailBound(i));
                    break;
                case Kind.RepairPort:
                    net.RepairPort(name);
                    if (nic.Present && !_offline[i]) Expect(i, RepairBound());
                    break;
                case Kind.Unplug:
                    if (!nic.Present) break;
                    net.Unplug(name);
                    break;
                case Kind.Plug:
                    if (nic.Present) break;
                    net.Plug(name);
                    RestartQuiet(i);        // a new instance, even while offline: online later starts none
                    if (_offline[i]) break;
                    Expect(i, Usable(i) ? Now + _interval * 3 + _slack : FailBound(i));
                    break;
                case Kind.Offline:
                {
                    var r = _sim.Engine.Offline(name);
                    _trace[^1] += $" -> {r.Error}";
                    if (r.Ok) _offline[i] = true;
                    StepInvariants();
                    break;
                }
                case Kind.Online:
                {
                    var r = _sim.Engine.Online(name);
                    _trace[^1] += $" -> {r.Error}";
                    if (!r.Ok) break;
                    _offline[i] = false;
                    Expect(i, Usable(i) ? RepairBound() : FailBound(i));
                    StepInvariants();
                    break;
                }
                case Kind.TargetsSilent:
                    if (!_targetsAnswer) break;
                    foreach (var h in net.Hosts) h.AnswersEcho = false;
                    _targetsAnswer = false;
                    for (var k = 0; k < _n; k++)
                        if (Probing(k) && Present(k) && !_offline[k]) Expect(k, FailBound(k));
                    break;
                case Kind.TargetsAnswer:
                    if (_targetsAnswer) break;
                    foreach (var h in net.Hosts) h.AnswersEcho = true;
                    _targetsAnswer = true;
                    for (var k = 0; k < _n; k++)
                        if (Probing(k) && Present(k) && !_offline[k]) Expect(k, RepairBound());
                    break;
                case Kind.DeleteDataAddress:
                {
                    if (_data.Count == 0) break;
                    var prefix = _data[step.Nic % _data.Count];
                    if (net.WhoHas(prefix.Address) is { } holder)
                    {
                        _trace[^1] += $" {prefix} from {holder}";
                        net.DeleteAddressBehindBack(holder, prefix);
                    }
                    break;
                }
                case Kind.DeleteTestAddress:
                    if (!Probing(i) || !nic.Present) break;
                    net.DeleteAddressBehindBack(name, IpPrefix.Parse($"192.168.10.{10 + i}/24"));
                    if (_offline[i]) break;
                    Expect(i, Usable(i) ? RepairBound() : FailBound(i));
                    break;
                case Kind.Wait:
                    break;
            }
            _sim.Drain();
        }

        // ---- the invariants ----

        /// <summary>After every engine step: no address on two NICs; no address hosted nowhere while a
        /// member that has had time to be recognised as usable exists.</summary>
        private void StepInvariants()
        {
            TrackAnnouncements();
            foreach (var a in _data)
            {
                var holders = _sim.Network.AllHolders(a.Address);
                Assert(holders.Count <= 1, $"{a} is on {string.Join(" and ", holders)}");
            }
            var settledUsable = Enumerable.Range(0, _n).Where(i => Usable(i) && Settled(i)).Select(i => _names[i]).ToList();
            if (settledUsable.Count == 0) return;
            foreach (var a in _data)
                Assert(_sim.Network.AllHolders(a.Address).Count == 1,
                    $"{a} is hosted nowhere although {string.Join(",", settledUsable)} is usable");
        }

        /// <summary>
        /// An announcement sent from a NIC whose path was dead (not yet detected: quiet period, inside the FDT)
        /// is lost, and the simulated client's neighbour cache never expires (a real one would re-resolve).
        /// That is excused only while the engine kept the NIC ACTIVE all along — it had nothing to react to.
        /// Once the NIC stopped being active, binding the address again must announce it.
        /// </summary>
        private void TrackAnnouncements()
        {
            var journal = _sim.Network.Journal;
            for (; _journalSeen < journal.Count; _journalSeen++)
            {
                if (journal[_journalSeen].Command is not Commands.AnnounceAddress an) continue;
                if (_sim.Network.Nic(an.Interface).Works) _lostAnnouncement.Remove(an.Address);
                else _lostAnnouncement[an.Address] = an.Interface;
            }
            foreach (var (address, nic) in _lostAnnouncement.ToList())
                if (_sim.Engine.FindInterface(nic)?.Active != true) _lostAnnouncement.Remove(address);
        }

        private int _journalSeen;
        private readonly Dictionary<IPAddress, string> _lostAnnouncement = [];

        /// <summary>Once every member has had time to be seen as it is.</summary>
        private void SettledInvariants()
        {
            var snap = _sim.Snapshot();
            var present = Enumerable.Range(0, _n).Where(Present).ToList();
            var usable = present.Where(Usable).ToHashSet();
            var state = present.ToDictionary(i => i, i => snap.Interfaces.First(s => s.Name == _names[i]));
            // PI_NOTARGETS without FAILED: "assumed working", the engine cannot know better.
            var indeterminate = present.Where(i => !usable.Contains(i) && !_offline[i] && Probing(i)
                && state[i].State == InterfaceState.Unknown).ToHashSet();

            foreach (var i in present)
            {
                var st = state[i].State;
                if (_offline[i]) Assert(st == InterfaceState.Offline, $"{_names[i]} is offline but shows {st}");
                else if (usable.Contains(i)) Assert(st == InterfaceState.Ok, $"{_names[i]} is usable but shows {st}");
                else if (!indeterminate.Contains(i)) Assert(st == InterfaceState.Failed, $"{_names[i]} is not usable but shows {st}");
            }

            var active = present.Where(i => state[i].IsActive).ToList();
            foreach (var i in active)
                Assert(usable.Contains(i) || indeterminate.Contains(i), $"{_names[i]} is ACTIVE but not usable");
            var low = Math.Min(usable.Count, _capacity);
            var high = Math.Min(usable.Count + indeterminate.Count, _capacity);
            Assert(active.Count >= low && active.Count <= high,
                $"{active.Count} active members, expected min(usable {usable.Count}, capacity {_capacity})" +
                (indeterminate.Count > 0 ? $" (+{indeterminate.Count} indeterminate)" : ""));

            var group = snap.Groups.First(g => g.Name == Lab.Group).State;
            var maxUsable = usable.Count + indeterminate.Count;
            var groupOk = group switch
            {
                GroupState.Failed => usable.Count == 0,
                GroupState.Ok => maxUsable == present.Count && present.Count > 0,
                _ => maxUsable > 0 && usable.Count < present.Count,
            };
            Assert(groupOk, $"group is {group} with {usable.Count} usable (+{indeterminate.Count} indeterminate) of {present.Count} present");

            if (usable.Count == 0) return;
            foreach (var a in _data)
            {
                var holders = _sim.Network.AllHolders(a.Address);
                Assert(holders.Count == 1, $"{a} is on [{string.Join(",", holders)}]");
                var h = Array.IndexOf(_names, holders[0]);
                Assert(state[h].IsActive, $"{a} is on {holders[0]}, which is not ACTIVE");
                Assert(usable.Contains(h) || indeterminate.Contains(h), $"{a} is on {holders[0]}, which is not usable");
                if (Works(h) && !(_lostAnnouncement.TryGetValue(a.Address, out var lostOn) && lostOn == holders[0]))
                    Assert(_sim.Network.CanReach(_sim.Network.Host("client"), a.Address), $"the client cannot reach {a} on {holders[0]}");
            }
        }

        private void Assert(bool condition, string what)
        {
            if (!condition) throw new InvariantException($"at {Now.TotalMilliseconds:F1} ms: {what}\n{Context()}");
        }

        private string Context()
        {
            var sb = new StringBuilder();
            sb.AppendLine("model:");
            for (var i = 0; i < _n; i++)
            {
                var nic = Nic(i);
                sb.AppendLine($"  {_names[i]} present={nic.Present} carrier={nic.Port.Carrier} fwd={nic.Port.Forwarding} offline={_offline[i]} usable={Usable(i)} settleAt={_settleAt[i].TotalMilliseconds:F0} quietUntil={_quietUntil[i].TotalMilliseconds:F0}");
            }
            sb.AppendLine($"  targets answer={_targetsAnswer}");
            sb.AppendLine("actions:");
            foreach (var t in _trace) sb.AppendLine("  " + t);
            sb.AppendLine("engine:");
            sb.Append(_sim.Dump());
            foreach (var a in _data) sb.AppendLine($"  {a} on [{string.Join(",", _sim.Network.AllHolders(a.Address))}]");
            return sb.ToString();
        }
    }

    private sealed class InvariantException(string message, Exception? inner = null) : Exception(message, inner);
}
