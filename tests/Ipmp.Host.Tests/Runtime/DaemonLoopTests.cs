using Ipmp.Core.Configuration;
using Ipmp.Core.Engine;
using Ipmp.Host.Configuration;
using Ipmp.Host.Kernel;
using Ipmp.Host.Runtime;
using Ipmp.Linux.Netlink;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Ipmp.Host.Tests.Runtime;

/// <summary>
/// The daemon's real event loop (epoll, timerfd, inbox, executor) driven without privileges: a fake
/// rtnetlink and fake probe sockets behind real eventfds, and a fake clock. Each test turns the loop by hand.
/// </summary>
public sealed class DaemonLoopTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));
    private readonly FakeKernel _kernel = new();
    private readonly RecordingLinkActions _link = new();
    private readonly FakeProbeNetwork _probes = new();
    private DaemonLoop? _loop;

    private static IpmpConfig Config(bool probing = false, int fdtMs = 1000)
    {
        var files = new Dictionary<string, string>
        {
            ["mpathd"] = $"FAILURE_DETECTION_TIME={fdtMs}\n",
            ["hostname.net0"] = "192.168.10.50/24 group ipmp0 up" + (probing ? " \\\naddif 192.168.10.10/24 deprecated -failover up" : "") + "\n",
            ["hostname.net1"] = "192.168.10.51/24 group ipmp0 up" + (probing ? " \\\naddif 192.168.10.11/24 deprecated -failover up" : "") + "\n",
        };
        var loaded = ConfigDirectory.Parse(files);
        return loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Diagnostics));
    }

    private DaemonLoop Start(IpmpConfig config, FaultInjection? faults = null, IEngineObserver? observer = null)
    {
        _kernel.AddLink(1, "lo");
        _kernel.AddLink(2, "net0");
        _kernel.AddLink(3, "net1");
        _kernel.AddAddressQuietly(2, "192.168.10.50/24");
        _kernel.AddAddressQuietly(3, "192.168.10.51/24");
        _loop = new DaemonLoop(Options(faults), NullLogger.Instance);
        _loop.Start(config, observer ?? NullObserver.Instance);
        Settle();
        return _loop;
    }

    private DaemonLoopOptions Options(FaultInjection? faults = null) => new()
    {
        Time = _time,
        Random = new Random(1),
        Engine = new EngineOptions { RunId = 1, Cookie = 42 },
        Routing = _ => GroupRouting.None,
        RoutesEnabled = false,
        Kernel = () => _kernel,
        ProbeSockets = _probes,
        LinkActions = _link,
        Faults = faults ?? FaultInjection.None,
        Announcements = new AnnouncementSettings(Count: 1),
    };

    /// <summary>Turns until nothing is ready (no waiting: the clock is fake).</summary>
    private void Settle()
    {
        for (var i = 0; i < 50; i++) _loop!.Turn(0);
    }

    private void Advance(TimeSpan by, TimeSpan step)
    {
        for (var t = TimeSpan.Zero; t < by; t += step)
        {
            _time.Advance(step);
            Settle();
        }
    }

    [Fact]
    public void Carrier_loss_moves_the_address_and_announces_it_in_the_same_turn()
    {
        var loop = Start(Config());
        _kernel.SetCarrier(2, false);
        loop.Turn(0);
        Assert.Contains("192.168.10.50/24", _kernel.AddressesOf(3));
        Assert.DoesNotContain("192.168.10.50/24", _kernel.AddressesOf(2));
        Assert.Contains((3, System.Net.IPAddress.Parse("192.168.10.50")), _link.Announced);
    }

    [Fact]
    public void Observers_hear_of_a_failover_only_after_its_address_moved_and_was_announced()
    {
        var seen = new List<string>();
        var observer = new CallbackObserver(what => seen.Add(
            $"{what} moved={_kernel.AddressesOf(3).Contains("192.168.10.50/24")} announced={_link.Announced.Count > 0}"));
        var loop = Start(Config(), observer: observer);
        seen.Clear();
        _link.Announced.Clear();
        _kernel.SetCarrier(2, false);
        loop.Turn(0);
        Assert.Contains(seen, s => s.StartsWith("log ", StringComparison.Ordinal));
        Assert.Contains(seen, s => s.StartsWith("change address-moved", StringComparison.Ordinal));
        // Every callback of the turn (the link failure's log line included) came after the kernel work.
        Assert.All(seen, s => Assert.EndsWith("moved=True announced=True", s));
    }

    private sealed class CallbackObserver(Action<string> record) : IEngineObserver
    {
        public bool WantsProbes => false;
        public void Log(Ipmp.Core.Logging.LogMessage message) => record("log " + message.Text);
        public void Changed(StateChange change) => record("change " + change.Kind);
    }

    [Fact]
    public void A_refused_add_keeps_the_old_copy_and_is_retried_after_a_second()
    {
        var loop = Start(Config());
        _kernel.FailAdds = 1;
        _kernel.SetCarrier(2, false);
        Settle();
        // Make before break: the add failed, so the address was neither removed nor announced.
        Assert.Contains("192.168.10.50/24", _kernel.AddressesOf(2));
        Assert.DoesNotContain("192.168.10.50/24", _kernel.AddressesOf(3));
        Assert.DoesNotContain((3, System.Net.IPAddress.Parse("192.168.10.50")), _link.Announced);
        Assert.Equal(2, loop.Engine.Counters.CommandFailures);   // the add, and the remove not even tried

        Advance(IpmpEngine.CommandRetryDelay + TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100));
        Assert.Contains("192.168.10.50/24", _kernel.AddressesOf(3));
        Assert.DoesNotContain("192.168.10.50/24", _kernel.AddressesOf(2));
        Assert.Contains((3, System.Net.IPAddress.Parse("192.168.10.50")), _link.Announced);
    }

    [Fact]
    public void A_carrier_loss_that_races_a_rescan_dump_wins_over_the_dump()
    {
        var loop = Start(Config());
        // The rescan's dump reads the links with net0 up; the carrier drops just after, and the kernel
        // queues that notification while the dump is still being answered.
        _kernel.DuringLinkDump = () =>
        {
            _kernel.DuringLinkDump = null;
            _kernel.SetCarrier(2, false);
        };
        var dumps = _kernel.LinkDumps;
        Advance(DaemonLoop.RescanInterval + TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        Assert.True(_kernel.LinkDumps > dumps, "the rescan ran");
        Assert.Equal(Core.Status.LinkState.Down, loop.Engine.FindInterface("net0")!.LinkState);
        Assert.Contains("192.168.10.50/24", _kernel.AddressesOf(3));
        Assert.DoesNotContain("192.168.10.50/24", _kernel.AddressesOf(2));
    }

    [Fact]
    public void A_dead_port_is_found_by_probes_through_the_loop_within_the_failure_detection_time()
    {
        var loop = Start(Config(probing: true, fdtMs: 1000));
        _kernel.AddAddressQuietly(2, "192.168.10.10/24");
        _kernel.AddAddressQuietly(3, "192.168.10.11/24");
        _kernel.Notify(new AddressEvent(RtNetlinkChange.New, _kernel.DumpAddresses().First(a => a.Address.ToString() == "192.168.10.10")));
        _kernel.Notify(new AddressEvent(RtNetlinkChange.New, _kernel.DumpAddresses().First(a => a.Address.ToString() == "192.168.10.11")));
        // Past the start-up quiet period with a working link: targets found, probes answered.
        Advance(TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(10));
        var net0 = loop.Engine.FindInterface("net0")!;
        Assert.True(net0.V4.HasTargets, "the multicast-discovered target");
        Assert.True(net0.Active);
        Assert.True(_probes.Sent > 100, $"{_probes.Sent} probes sent");

        _probes.DeadPorts.Add(2);
        var died = _time.GetUtcNow();
        while (net0.Active && _time.GetUtcNow() - died < TimeSpan.FromSeconds(5)) Advance(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));
        var detection = _time.GetUtcNow() - died;
        Assert.False(net0.Active);
        Assert.True(detection <= TimeSpan.FromSeconds(1), $"detected after {detection.TotalMilliseconds} ms");
        Assert.Contains("192.168.10.50/24", _kernel.AddressesOf(3));
    }

    [Fact]
    public void A_probe_reply_does_not_wake_the_loop_and_is_read_by_its_next_turn()
    {
        var loop = Start(Config(probing: true, fdtMs: 1000));
        _kernel.AddAddressQuietly(2, "192.168.10.10/24");
        _kernel.Notify(new AddressEvent(RtNetlinkChange.New, _kernel.DumpAddresses().First(a => a.Address.ToString() == "192.168.10.10")));
        Advance(TimeSpan.FromSeconds(45), TimeSpan.FromMilliseconds(10));
        var net0 = loop.Engine.FindInterface("net0")!;
        Assert.True(net0.V4.HasTargets && net0.Active, "net0 probing its target");

        // Turn on the clock until a turn sends a probe; the fake network queues its reply at once.
        for (var i = 0; i < 1000 && _probes.Sent == _probes.Received; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1));
            loop.Turn(0);
        }
        Assert.True(_probes.Sent > _probes.Received, "a reply queued");
        var received = _probes.Received;

        // The reply alone makes nothing ready in the loop's epoll, and the turn still reads it.
        Assert.Equal(0, loop.Turn(0));
        Assert.True(_probes.Received > received, "the next turn read the queued reply");
        Assert.Equal(_probes.Sent, _probes.Received);

        // A carrier event does wake the loop.
        _kernel.SetCarrier(3, false);
        Assert.True(loop.Turn(0) > 0);
    }

    [Theory]
    [InlineData("executor")]
    [InlineData("engine")]
    [InlineData("monitor")]
    public async Task An_unexpected_exception_on_the_loop_ends_the_process_with_a_crash_code(string where)
    {
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var supervisor = new Supervisor(NullLogger.Instance, code => exited.TrySetResult(code));
        _kernel.AddLink(1, "lo");
        _kernel.AddLink(2, "net0");
        _kernel.AddLink(3, "net1");
        _kernel.AddAddressQuietly(2, "192.168.10.50/24");
        _kernel.AddAddressQuietly(3, "192.168.10.51/24");
        _loop = new DaemonLoop(Options() with { Time = TimeProvider.System }, NullLogger.Instance);
        var thread = supervisor.StartThread("event loop", () => _loop.Run(Config(), NullObserver.Instance));
        await _loop.Ready.WaitAsync(TimeSpan.FromSeconds(10));

        switch (where)
        {
            case "executor":
                _kernel.ThrowOnAdd = true;   // a bug under the port, not a kernel refusal
                break;
            case "engine":
                _ = _loop.InvokeAsync<int>(_ => throw new InvalidOperationException("injected: an engine bug"));
                break;
            case "monitor":
                _kernel.ThrowOnRead = true;
                break;
        }
        _kernel.SetCarrier(2, false);
        Assert.Equal(Supervisor.CrashExitCode, await exited.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAnyAsync<Exception>(() => thread.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(supervisor.Crashed);
    }

    [Fact]
    public void The_loop_accepts_control_connections_a_bounded_number_per_turn()
    {
        var loop = Start(Config());
        using var dir = new Control.TempSocketDir();
        using var server = Ipmp.Host.Control.ControlServer.Start(new Control.TestHandler(),
            new Ipmp.Host.Control.ControlServerOptions { SocketPath = dir.SocketPath, Watcher = loop });
        var clients = Enumerable.Range(0, 10).Select(_ =>
        {
            var c = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            c.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(dir.SocketPath));
            return c;
        }).ToList();
        try
        {
            // Nothing is accepted until the loop turns; then ControlServer.AcceptBudget per turn.
            Assert.Equal(10, PendingConnections(dir.SocketPath));
            loop.Turn(0);
            Assert.Equal(10 - Ipmp.Host.Control.ControlServer.AcceptBudget, PendingConnections(dir.SocketPath));
            loop.Turn(0);
            Assert.Equal(0, PendingConnections(dir.SocketPath));
            Assert.False(server.AcceptLoop.IsCompleted);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
        server.Dispose();
        Assert.True(server.AcceptLoop.IsCompleted);
        loop.Turn(0);   // the closed listener is gone from the loop's epoll: nothing to run, nothing thrown
    }

    /// <summary>Connections waiting in the listener's accept queue (ss's Recv-Q of a listening socket).</summary>
    private static int PendingConnections(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ss", ["-xlH", "src", path]) { RedirectStandardOutput = true };
        using var ss = System.Diagnostics.Process.Start(psi)!;
        var line = ss.StandardOutput.ReadToEnd().Trim();
        ss.WaitForExit();
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2]);
    }

    [Fact]
    public void A_snoozed_descriptor_is_not_watched_until_its_pause_ends()
    {
        var loop = Start(Config());
        using var fd = Ipmp.Linux.Polling.EventFd.Create();
        var calls = 0;
        loop.Watch(fd.Fd, () =>
        {
            calls++;
            loop.Snooze(fd.Fd, TimeSpan.FromMilliseconds(50));   // stays readable: would spin otherwise
        });
        fd.Ring();
        Settle();
        Assert.Equal(1, calls);
        _time.Advance(TimeSpan.FromMilliseconds(49));
        Settle();
        Assert.Equal(1, calls);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Settle();   // watched again: readable at once, snoozed again
        Assert.Equal(2, calls);
        loop.Unwatch(fd.Fd);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Settle();
        Assert.Equal(2, calls);
    }

    /// <summary>The FDT 100 ms anomaly of 2026-11: the old engine loop read a deadline overdue by exactly 1 ms
    /// as Timeout.InfiniteTimeSpan and slept until something else happened (seconds; no probes went out).</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public async Task A_turn_whose_deadline_is_overdue_runs_it_instead_of_waiting(int lateMs)
    {
        var loop = Start(Config(probing: true));
        var due = loop.Engine.NextWakeup!.Value;
        _time.Advance(due - loop.Engine.Now + TimeSpan.FromMilliseconds(lateMs));
        var sent = _probes.Sent;
        var turn = Task.Factory.StartNew(() => loop.Turn(-1), TaskCreationOptions.LongRunning);
        var finished = await Task.WhenAny(turn, Task.Delay(TimeSpan.FromSeconds(5))) == turn;
        if (!finished) loop.Stop();   // unblock it, then fail
        Assert.True(finished, $"a turn {lateMs} ms past its deadline blocked");
        Assert.True(_probes.Sent > sent, "the overdue probe slot did not run");
    }

    public void Dispose()
    {
        _loop?.Stop();
        Thread.Sleep(10);
        _loop?.Dispose();
    }
}
