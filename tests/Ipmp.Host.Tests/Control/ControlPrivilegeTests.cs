using System.Diagnostics;
using System.Text.Json;
using Ipmp.Host.Control;

namespace Ipmp.Host.Tests.Control;

/// <summary>
/// A real client under another uid (65534, via setpriv), speaking the frame format from Python: it may
/// ping and take snapshots, but offline, online, reload and probe subscriptions are refused (and logged).
/// </summary>
public class ControlPrivilegeTests
{
    private const string PythonClient = """
        import json, os, socket, struct, sys
        def recv_exact(s, n):
            data = b''
            while len(data) < n:
                chunk = s.recv(n - len(data))
                if not chunk:
                    return None
                data += chunk
            return data
        def request(path, obj):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            body = json.dumps(obj).encode()
            s.sendall(struct.pack('>I', len(body)) + body)
            header = recv_exact(s, 4)
            reply = json.loads(recv_exact(s, struct.unpack('>I', header)[0])) if header else None
            s.close()
            return reply
        out = {'uid': os.getuid(), 'replies': [request(sys.argv[1], json.loads(a)) for a in sys.argv[2:]]}
        print(json.dumps(out))
        """;

    private static async Task<JsonElement> RunAsNobodyAsync(string socketPath, params string[] requests)
    {
        var psi = new ProcessStartInfo("/usr/bin/setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", PythonClient, socketPath, .. requests])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        Task<string> stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(p.ExitCode == 0, $"python client failed: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    [RootFact]
    public async Task An_unprivileged_peer_may_query_but_not_change_anything()
    {
        using var f = new ServerFixture();
        JsonElement result = await RunAsNobodyAsync(f.SocketPath,
            "{\"v\":1,\"op\":\"ping\"}",
            "{\"v\":1,\"op\":\"snapshot\"}",
            "{\"v\":1,\"op\":\"offline\",\"interface\":\"net1\",\"minRedundancy\":1}",
            "{\"v\":1,\"op\":\"online\",\"interface\":\"net1\"}",
            "{\"v\":1,\"op\":\"reload\"}",
            "{\"v\":1,\"op\":\"subscribe\",\"probes\":true,\"changes\":true}");

        Assert.Equal(65534, result.GetProperty("uid").GetInt32());
        JsonElement[] replies = [.. result.GetProperty("replies").EnumerateArray()];

        Assert.True(replies[0].GetProperty("ok").GetBoolean());                       // ping
        Assert.True(replies[1].GetProperty("ok").GetBoolean());                       // snapshot
        Assert.Equal("grp1", replies[1].GetProperty("snapshot").GetProperty("groups")[0].GetProperty("name").GetString());

        foreach (var (reply, what) in new[] { (replies[2], "offline"), (replies[3], "online"), (replies[4], "reload"), (replies[5], "probe events") })
        {
            Assert.False(reply.GetProperty("ok").GetBoolean());
            Assert.Equal(1, reply.GetProperty("error").GetInt32());
            Assert.Equal(1, reply.GetProperty("errno").GetInt32());
            Assert.Equal($"insufficient privileges for {what}", reply.GetProperty("message").GetString());
        }

        Assert.Equal(["snapshot"], f.Handler.Calls);   // nothing privileged reached the daemon
        Assert.Contains(f.Log, l => l.StartsWith("refused offline from uid 65534 (pid ", StringComparison.Ordinal));
        Assert.Contains(f.Log, l => l.StartsWith("refused subscribe from uid 65534", StringComparison.Ordinal));
    }

    [RootFact]
    public async Task An_unprivileged_peer_may_watch_state_changes()
    {
        using var f = new ServerFixture();
        // Subscribing to changes alone is allowed; the python client reads the reply and leaves.
        JsonElement result = await RunAsNobodyAsync(f.SocketPath, "{\"v\":1,\"op\":\"subscribe\",\"probes\":false,\"changes\":true}");
        JsonElement reply = result.GetProperty("replies")[0];
        Assert.True(reply.GetProperty("ok").GetBoolean());
        Assert.Equal(1234567.8, reply.GetProperty("now").GetDouble());
        await f.Handler.WaitForSubscribersAsync(0);   // its leaving ended the subscription
    }
}
