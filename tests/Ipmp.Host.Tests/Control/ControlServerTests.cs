using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Host.Tests.Control;

public class ControlServerTests
{
    [Fact]
    public async Task Ping_snapshot_offline_online_and_reload()
    {
        using var f = new ServerFixture();

        PingReply ping = await f.Client.PingAsync();
        Assert.Equal(Environment.ProcessId, ping.Pid);
        Assert.Equal(f.Handler.Now, ping.Now);

        IpmpSnapshot snapshot = await f.Client.SnapshotAsync();
        Assert.Equal(Samples.Canon(Samples.Snapshot), Samples.Canon(snapshot));

        Assert.Equal(AdminResult.Success, await f.Client.OfflineAsync("net1"));
        f.Handler.Offline = (_, _) => new AdminResult(IpmpError.MinRedundancy, AdminResult.Describe(IpmpError.MinRedundancy));
        Assert.Equal(new AdminResult(IpmpError.MinRedundancy, "minimum failover redundancy not met"), await f.Client.OfflineAsync("net2", 2));
        Assert.Equal(AdminResult.Success, await f.Client.OnlineAsync("net1"));
        f.Handler.Online = n => new AdminResult(IpmpError.UnknownInterface, $"{n} is not tracked");
        Assert.Equal(new AdminResult(IpmpError.UnknownInterface, "eth7 is not tracked"), await f.Client.OnlineAsync("eth7"));

        ReloadResult reload = await f.Client.ReloadAsync();
        Assert.True(reload.Ok);
        Assert.Equal<string>(["warning: hostname.eth9:1: something odd"], reload.Diagnostics.ToArray());
        f.Handler.Reload = new ReloadResult(false, ["error: hostname.eth0:1: bad", "error: mpathd:3: worse"]);
        reload = await f.Client.ReloadAsync();
        Assert.False(reload.Ok);
        Assert.Equal<string>(["error: hostname.eth0:1: bad", "error: mpathd:3: worse"], reload.Diagnostics.ToArray());

        Assert.Equal(["snapshot", "offline net1 1", "offline net2 2", "online net1", "online eth7", "reload", "reload"], f.Handler.Calls);
    }

    [Fact]
    public async Task Subscribe_streams_what_was_asked_for_until_the_client_leaves()
    {
        using var f = new ServerFixture();
        await using ControlSubscription both = await f.Client.SubscribeAsync(probes: true, changes: true);
        await using ControlSubscription changesOnly = await f.Client.SubscribeAsync(probes: false, changes: true);
        Assert.Equal(f.Handler.Now, both.DaemonNow);
        await f.Handler.WaitForSubscribersAsync(2);

        f.Handler.Publish(Samples.AckedProbe);
        f.Handler.Publish(Samples.Change);
        f.Handler.Publish(Samples.LostProbe);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var got = new List<ControlEvent>();
        await foreach (ControlEvent e in both.ReadAllAsync(cts.Token))
        {
            got.Add(e);
            if (got.Count == 3)
                break;
        }
        Assert.Equal(Samples.AckedProbe, got[0].Probe);
        Assert.Equal(Samples.Change, got[1].Change);
        Assert.Equal(Samples.LostProbe, got[2].Probe);
        Assert.StartsWith("{\"v\":1,\"event\":\"probe\",\"probe\":{\"id\":589,", got[0].Json);

        await foreach (ControlEvent e in changesOnly.ReadAllAsync(cts.Token))
        {
            Assert.Equal(Samples.Change, e.Change);   // the probes were filtered out
            break;
        }

        await both.DisposeAsync();
        await changesOnly.DisposeAsync();
        await f.Handler.WaitForSubscribersAsync(0);
        Assert.Equal(AdminResult.Success, await f.Client.OnlineAsync("net1"));   // still serving
    }

    [Fact]
    public async Task A_subscriber_that_falls_behind_is_cut_off_and_the_daemon_is_not_blocked()
    {
        using var f = new ServerFixture(queueLength: 8);
        await using ControlSubscription sub = await f.Client.SubscribeAsync(probes: true, changes: false);
        await f.Handler.WaitForSubscribersAsync(1);
        // The publisher never blocks, however many events the reader leaves unread.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 200_000; i++)
            f.Handler.Publish(Samples.AckedProbe);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"publishing took {sw.Elapsed}");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var e = await Assert.ThrowsAsync<ControlException>(async () =>
        {
            await foreach (ControlEvent _ in sub.ReadAllAsync(cts.Token)) { }
        });
        Assert.Contains("subscriber too slow", e.Message);
        await f.Handler.WaitForSubscribersAsync(0);
    }

    [Fact]
    public async Task Subscriptions_have_their_own_limit_and_do_not_use_up_request_slots()
    {
        using var f = new ServerFixture(maxSubscribers: 2);
        await using ControlSubscription a = await f.Client.SubscribeAsync(false, true);
        ControlSubscription b = await f.Client.SubscribeAsync(false, true);
        var e = await Assert.ThrowsAsync<ControlException>(() => f.Client.SubscribeAsync(false, true));
        Assert.Equal("too many subscribers", e.Message);
        await f.Client.PingAsync();

        await b.DisposeAsync();
        await f.Handler.WaitForSubscribersAsync(1);
        ControlSubscription? c = null;
        for (int i = 0; c is null; i++)   // the slot is freed just after the handler's unsubscribe
        {
            try
            {
                c = await f.Client.SubscribeAsync(false, true);
            }
            catch (ControlException) when (i < 100)
            {
                await Task.Delay(20);
            }
        }
        await using ControlSubscription _ = c;
        await f.Handler.WaitForSubscribersAsync(2);
    }

    [Fact]
    public async Task Server_dispose_ends_subscriptions_and_removes_the_socket()
    {
        var f = new ServerFixture();
        try
        {
            await using ControlSubscription sub = await f.Client.SubscribeAsync(probes: false, changes: true);
            await f.Handler.WaitForSubscribersAsync(1);
            f.Server.Dispose();
            Assert.False(File.Exists(f.SocketPath));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await foreach (ControlEvent _ in sub.ReadAllAsync(cts.Token)) { }
            }
            catch (ControlException)
            {
                // a reset instead of a clean end is fine too
            }
            await f.Handler.WaitForSubscribersAsync(0);
            await Assert.ThrowsAsync<DaemonUnreachableException>(() => f.Client.PingAsync());
        }
        finally
        {
            f.Dispose();
        }
    }

    [Fact]
    public async Task Handler_failures_become_error_replies()
    {
        using var f = new ServerFixture();
        f.Handler.SnapshotThrows = new InvalidOperationException("engine on fire");
        var e = await Assert.ThrowsAsync<ControlException>(() => f.Client.SnapshotAsync());
        Assert.Equal(IpmpError.Failure, e.Error);
        Assert.Equal("snapshot failed: engine on fire", e.Message);
        Assert.Contains(f.Log, l => l.Contains("engine on fire"));
        await f.Client.PingAsync();
    }

    [Fact]
    public async Task A_slow_handler_times_out_with_an_error_reply()
    {
        using var f = new ServerFixture(requestTimeout: TimeSpan.FromMilliseconds(300));
        f.Handler.SnapshotDelay = TimeSpan.FromSeconds(30);
        var e = await Assert.ThrowsAsync<ControlException>(() => f.Client.SnapshotAsync());
        Assert.Equal("request timed out", e.Message);
    }

    [Fact]
    public async Task A_silent_client_times_out_without_blocking_others()
    {
        using var f = new ServerFixture(requestTimeout: TimeSpan.FromSeconds(2));
        using Socket silent = await Raw.ConnectAsync(f.SocketPath);
        using Socket halfFrame = await Raw.ConnectAsync(f.SocketPath);
        await halfFrame.SendAsync(Raw.Frame("{\"v\":1,\"op\":\"ping\"}")[..7], SocketFlags.None);

        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
            await f.Client.PingAsync();
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(1500), $"pings took {sw.Elapsed} while two clients hung");

        // The hung ones are answered with a timeout and closed.
        foreach (Socket s in new[] { silent, halfFrame })
        {
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            int total = 0, n;
            while ((n = await s.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, cts.Token)) > 0)
                total += n;
            ReplyDto reply = Raw.SingleReply(buffer[..total])!;
            Assert.Equal("request timed out", reply.Message);
        }
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(1900), $"timed out after only {sw.Elapsed}");
        Assert.Contains(f.Log, l => l.Contains("timed out"));
    }

    [Fact]
    public async Task Version_mismatch_and_unknown_requests_get_clear_error_replies()
    {
        using var f = new ServerFixture();
        ReplyDto reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, Raw.Frame("{\"v\":2,\"op\":\"ping\"}")))!;
        Assert.False(reply.Ok);
        Assert.Equal((int)IpmpError.InvalidArgument, reply.Error);
        Assert.Equal("unsupported protocol version 2 (this side speaks version 1)", reply.Message);
        Assert.Equal(1, reply.V);

        reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, Raw.Frame("{\"v\":1,\"op\":\"query\"}")))!;
        Assert.Equal("unknown request \"query\"", reply.Message);

        reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, [0, 0, 0, 0]))!;
        Assert.Equal("empty frame", reply.Message);

        reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, [0x7f, 0xff, 0xff, 0xff, 1, 2, 3]))!;
        Assert.Equal("frame too large (2147483647 bytes; the limit is 1048576)", reply.Message);

        reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, Raw.Frame("{\"v\":1,\"op\":\"ping\"}")[..10]))!;
        Assert.Equal("truncated frame (6 of 19 bytes)", reply.Message);

        // Only one request per connection: the second frame is never read.
        byte[] two = [.. Raw.Frame("{\"v\":1,\"op\":\"ping\"}"), .. Raw.Frame("{\"v\":1,\"op\":\"snapshot\"}")];
        reply = Raw.SingleReply(await Raw.ExchangeAsync(f.SocketPath, two))!;
        Assert.True(reply.Ok);
        Assert.Null(reply.Snapshot);

        // Connecting and leaving without a word is harmless.
        (await Raw.ConnectAsync(f.SocketPath)).Dispose();
        await f.Client.PingAsync();
    }

    /// <summary>
    /// Thousands of random, truncated, oversized, garbage and wrong-version frames over the socket: each gets
    /// an error reply or a closed connection, and the server answers a ping afterwards.
    /// </summary>
    [Fact]
    public async Task Socket_fuzz_never_harms_the_server()
    {
        using var f = new ServerFixture(requestTimeout: TimeSpan.FromSeconds(2));
        var r = new Random(42);
        var inputs = new List<byte[]>();
        string[] jsons =
        [
            "{\"v\":1,\"op\":\"ping\"}", "{\"v\":2,\"op\":\"ping\"}", "{\"v\":1,\"op\":\"offline\",\"interface\":\"x\"}",
            "{\"v\":1,\"op\":\"subscribe\",\"changes\":false}", "null", "{}", "{\"v\":1,\"op\":\"\\ud800\"}", "\"\\u0000\"",
        ];
        for (int i = 0; i < 2000; i++)
        {
            byte[] input;
            switch (r.Next(6))
            {
                case 0:   // random bytes
                    input = new byte[r.Next(1, 40)];
                    r.NextBytes(input);
                    break;
                case 1:   // a valid-looking frame, truncated
                    byte[] full = Raw.Frame(jsons[r.Next(jsons.Length)]);
                    input = full[..r.Next(1, full.Length)];
                    break;
                case 2:   // an oversized or absurd length
                    input = [.. BitConverter.GetBytes((uint)r.Next(ControlProtocol.MaxFrameBytes + 1, int.MaxValue)).Reverse(), 1, 2];
                    break;
                case 3:   // a correct frame of garbage JSON
                    var sb = new StringBuilder(jsons[r.Next(jsons.Length)]);
                    sb.Insert(r.Next(sb.Length + 1), "{[\",:}]"[r.Next(7)]);
                    input = Raw.Frame(sb.ToString());
                    break;
                case 4:   // a correct frame of random bytes
                    var body = new byte[r.Next(1, 64)];
                    r.NextBytes(body);
                    input = [.. BitConverter.GetBytes((uint)body.Length).Reverse(), .. body];
                    break;
                default:  // wrong versions and unknown requests
                    input = Raw.Frame($"{{\"v\":{r.Next(-3, 9)},\"op\":\"{(r.Next(2) == 0 ? "ping" : "op" + r.Next(9))}\"}}");
                    break;
            }
            inputs.Add(input);
        }

        int replies = 0, closed = 0;
        await Parallel.ForEachAsync(inputs, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (input, _) =>
        {
            byte[] answer = await Raw.ExchangeAsync(f.SocketPath, input);
            ReplyDto? reply = Raw.SingleReply(answer);   // asserts the framing when there is a reply
            if (reply is null)
                Interlocked.Increment(ref closed);
            else
                Interlocked.Increment(ref replies);
        });

        Assert.Equal(inputs.Count, replies + closed);
        Assert.True(replies > inputs.Count / 2, $"{replies} replies, {closed} closed");
        PingReply ping = await f.Client.PingAsync();
        Assert.Equal(Environment.ProcessId, ping.Pid);
        Assert.Equal(Samples.Canon(Samples.Snapshot), Samples.Canon(await f.Client.SnapshotAsync()));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Socket_file_modes_and_directory_creation()
    {
        using var f = new ServerFixture();
        string dir = Path.GetDirectoryName(f.SocketPath)!;
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(dir));        // 0755
        Assert.Equal((UnixFileMode)0b110_110_110, File.GetUnixFileMode(f.SocketPath)); // 0666
        await f.Client.PingAsync();
    }

    [Fact]
    public async Task A_stale_socket_is_replaced_but_a_live_daemon_or_a_non_socket_is_not()
    {
        using var dir = new TempSocketDir();
        Directory.CreateDirectory(Path.GetDirectoryName(dir.SocketPath)!);
        // A socket file nobody listens on, as a daemon that was killed leaves it. (.NET unlinks the file when
        // a socket it bound is disposed, so another process binds it and exits.)
        using (var p = System.Diagnostics.Process.Start("/usr/bin/python3",
                   ["-c", "import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).bind(sys.argv[1])", dir.SocketPath]))
            await p.WaitForExitAsync();
        Assert.True(File.Exists(dir.SocketPath));
        await Assert.ThrowsAsync<DaemonUnreachableException>(() => new ControlClient(dir.SocketPath).PingAsync());

        var log = new List<string>();
        var handler = new TestHandler();
        using (ControlServer server = ControlServer.Start(handler, new ControlServerOptions { SocketPath = dir.SocketPath, Log = log.Add }))
        {
            Assert.Contains(log, l => l.StartsWith("removed stale control socket", StringComparison.Ordinal));
            await new ControlClient(dir.SocketPath).PingAsync();

            var e = Assert.Throws<ControlServerException>(() => ControlServer.Start(new TestHandler(), new ControlServerOptions { SocketPath = dir.SocketPath }));
            Assert.Equal($"another daemon is already listening on {dir.SocketPath}", e.Message);
            await new ControlClient(dir.SocketPath).PingAsync();   // the first one is untouched
        }
        Assert.False(File.Exists(dir.SocketPath));

        File.WriteAllText(dir.SocketPath, "precious");
        var e2 = Assert.Throws<ControlServerException>(() => ControlServer.Start(handler, new ControlServerOptions { SocketPath = dir.SocketPath }));
        Assert.EndsWith("it exists and is not a socket", e2.Message);
        Assert.Equal("precious", File.ReadAllText(dir.SocketPath));
    }

    [Fact]
    public async Task Cannot_contact_is_a_typed_error()
    {
        using var dir = new TempSocketDir();
        var missing = await Assert.ThrowsAsync<DaemonUnreachableException>(() => new ControlClient(dir.SocketPath).PingAsync());
        Assert.Equal(IpmpError.CannotContact, missing.Error);
        Assert.Equal(dir.SocketPath, missing.SocketPath);
        await Assert.ThrowsAsync<DaemonUnreachableException>(() => new ControlClient(dir.SocketPath).SubscribeAsync(false, true));
    }

    [Fact]
    public async Task Root_may_do_everything()
    {
        // The test runner's own uid: root in CI, so privileged operations go through; otherwise refused.
        using var f = new ServerFixture();
        AdminResult result = await f.Client.OfflineAsync("net1");
        if (Environment.IsPrivilegedProcess)
        {
            Assert.Equal(AdminResult.Success, result);
            await using ControlSubscription sub = await f.Client.SubscribeAsync(probes: true, changes: false);
        }
        else
        {
            Assert.Equal(new AdminResult(IpmpError.Failure, "insufficient privileges for offline"), result);
            var e = await Assert.ThrowsAsync<ControlException>(() => f.Client.SubscribeAsync(probes: true, changes: false));
            Assert.True(e.PermissionDenied);
        }
    }
}
