using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;
using Ipmp.Host.Control;

namespace Ipmp.Host.Tests.Control;

/// <summary>A fresh directory under /tmp (0755, so other uids can reach sockets in it); removed on dispose.</summary>
internal sealed class TempSocketDir : IDisposable
{
    public TempSocketDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "ipmp-ctl-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
    }

    public string Root { get; }

    /// <summary>A socket path in a subdirectory the server has to create.</summary>
    public string SocketPath => Path.Combine(Root, "run", "ipmpd.sock");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A scripted daemon: canned answers, a record of calls, and event publication to subscribers.</summary>
internal sealed class TestHandler : IControlHandler
{
    private readonly ConcurrentDictionary<IControlEventSink, (bool Probes, bool Changes)> _sinks = new();

    public TimeSpan Now { get; set; } = TimeSpan.FromSeconds(1234.5678);

    public IpmpSnapshot Snapshot { get; set; } = Samples.Snapshot;

    public Func<string, int, AdminResult> Offline { get; set; } = (_, _) => AdminResult.Success;

    public Func<string, AdminResult> Online { get; set; } = _ => AdminResult.Success;

    public ReloadResult Reload { get; set; } = new(true, ["warning: hostname.eth9:1: something odd"]);

    /// <summary>Set to make SnapshotAsync wait this long (honouring cancellation).</summary>
    public TimeSpan SnapshotDelay { get; set; }

    public Exception? SnapshotThrows { get; set; }

    public ConcurrentQueue<string> Calls { get; } = new();

    public int SubscriberCount => _sinks.Count;

    public Task<IpmpSnapshot> SnapshotAsync(CancellationToken cancellationToken) => SnapshotCoreAsync(cancellationToken);

    private async Task<IpmpSnapshot> SnapshotCoreAsync(CancellationToken ct)
    {
        Calls.Enqueue("snapshot");
        if (SnapshotDelay > TimeSpan.Zero)
            await Task.Delay(SnapshotDelay, ct);
        if (SnapshotThrows is { } e)
            throw e;
        return Snapshot;
    }

    public Task<AdminResult> OfflineAsync(string interfaceName, int minRedundancy, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"offline {interfaceName} {minRedundancy}");
        return Task.FromResult(Offline(interfaceName, minRedundancy));
    }

    public Task<AdminResult> OnlineAsync(string interfaceName, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"online {interfaceName}");
        return Task.FromResult(Online(interfaceName));
    }

    public Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        Calls.Enqueue("reload");
        return Task.FromResult(Reload);
    }

    public IDisposable Subscribe(IControlEventSink sink, bool probes, bool changes)
    {
        Calls.Enqueue($"subscribe probes={probes} changes={changes}");
        _sinks[sink] = (probes, changes);
        return new Unsubscriber(() => _sinks.TryRemove(sink, out _));
    }

    /// <summary>Sends to every subscriber (the server filters by what each asked for).</summary>
    public void Publish(ProbeEvent e)
    {
        foreach (IControlEventSink s in _sinks.Keys)
            s.OnProbe(e);
    }

    public void Publish(StateChange c)
    {
        foreach (IControlEventSink s in _sinks.Keys)
            s.OnChange(c);
    }

    public async Task WaitForSubscribersAsync(int count)
    {
        var sw = Stopwatch.StartNew();
        while (_sinks.Count != count)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(5))
                throw new TimeoutException($"expected {count} subscribers, have {_sinks.Count}");
            await Task.Delay(10);
        }
    }

    private sealed class Unsubscriber(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}

/// <summary>A running server on a temp path with a test handler and a captured log.</summary>
internal sealed class ServerFixture : IDisposable
{
    public ServerFixture(TimeSpan? requestTimeout = null, int queueLength = 4096, int maxSubscribers = 32)
    {
        Dir = new TempSocketDir();
        Handler = new TestHandler();
        Server = ControlServer.Start(Handler, new ControlServerOptions
        {
            SocketPath = Dir.SocketPath,
            RequestTimeout = requestTimeout ?? ControlProtocol.RequestTimeout,
            SubscriberQueueLength = queueLength,
            MaxSubscribers = maxSubscribers,
            Log = Log.Enqueue,
        });
        Client = new ControlClient(Server.SocketPath, TimeSpan.FromSeconds(5));
    }

    public TempSocketDir Dir { get; }

    public TestHandler Handler { get; }

    public ControlServer Server { get; }

    public ControlClient Client { get; }

    public ConcurrentQueue<string> Log { get; } = new();

    public string SocketPath => Server.SocketPath;

    public void Dispose()
    {
        Server.Dispose();
        Dir.Dispose();
    }
}

/// <summary>Raw socket exchanges, for requests the client would never send.</summary>
internal static class Raw
{
    public static async Task<Socket> ConnectAsync(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await s.ConnectAsync(new UnixDomainSocketEndPoint(path));
        return s;
    }

    public static byte[] Frame(string json)
    {
        byte[] body = Encoding.UTF8.GetBytes(json);
        var frame = new byte[4 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>Sends bytes, half-closes, and reads whatever comes back until EOF (or a reset).</summary>
    public static async Task<byte[]> ExchangeAsync(string path, byte[] data, bool halfClose = true, TimeSpan? timeout = null)
    {
        using Socket s = await ConnectAsync(path);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            await s.SendAsync(data, SocketFlags.None, cts.Token);
            if (halfClose)
                s.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // the server may already have replied and closed (e.g. after an oversize header)
        }
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await s.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
                received.Write(buffer, 0, n);
        }
        catch (SocketException)
        {
        }
        return received.ToArray();
    }

    /// <summary>The reply frames in <paramref name="data"/> decoded; asserts the framing is intact.</summary>
    public static ReplyDto? SingleReply(byte[] data)
    {
        if (data.Length == 0)
            return null;
        Assert.True(data.Length >= 4, "partial reply header");
        uint length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(data);
        Assert.Equal(data.Length - 4, (int)length);
        return ControlCodec.DecodeReply(data.AsSpan(4));
    }
}

internal static class Samples
{
    public static IPAddress Ip(string s) => IPAddress.Parse(s);

    private const InterfaceFlags Nominated =
        InterfaceFlags.Active | InterfaceFlags.V4Multicast | InterfaceFlags.V4Broadcast | InterfaceFlags.V6Multicast;

    /// <summary>The reference's section 7 example, plus IPv6 test addresses and an odd FDT.</summary>
    public static IpmpSnapshot Snapshot { get; } = new(
        Groups:
        [
            new GroupStatus("grp1", "ipmp1", GroupState.Degraded, TimeSpan.FromSeconds(10), ["net4", "net3"], 7),
            new GroupStatus("ipmp0", "ipmp0", GroupState.Ok, TimeSpan.FromTicks(123_456_789), ["net2", "net1", "net0"], ulong.MaxValue),
            new GroupStatus("", "", GroupState.Ok, null, ["net5"], 1),
        ],
        Interfaces:
        [
            new InterfaceStatus("net4", "ipmp1", InterfaceState.Ok, InterfaceType.Normal, LinkState.Up, ProbeState.Ok, Nominated,
                new TargetInfo(Ip("10.1.1.11"), TargetMode.Routes, [Ip("10.1.1.1")]),
                new TargetInfo(Ip("fe80::1%2"), TargetMode.Multicast, [Ip("fe80::a%2"), Ip("fe80::b%2")])),
            new InterfaceStatus("net3", "ipmp1", InterfaceState.Failed, InterfaceType.Normal, LinkState.Down, ProbeState.Failed,
                InterfaceFlags.None, new TargetInfo(Ip("10.1.1.12"), TargetMode.Routes, [Ip("10.1.1.1")]), TargetInfo.Disabled),
            new InterfaceStatus("net2", "ipmp0", InterfaceState.Ok, InterfaceType.Standby, LinkState.Up, ProbeState.Ok,
                InterfaceFlags.Inactive, new TargetInfo(Ip("192.168.10.13"), TargetMode.Multicast,
                    [Ip("192.168.10.2"), Ip("192.168.10.5"), Ip("192.168.10.3")]), TargetInfo.Disabled),
            new InterfaceStatus("net1", "ipmp0", InterfaceState.Offline, InterfaceType.Normal, LinkState.Unknown, ProbeState.Unknown,
                Nominated | InterfaceFlags.HwAddrDup | InterfaceFlags.Down, TargetInfo.Disabled, TargetInfo.Disabled),
            new InterfaceStatus("net5", "", InterfaceState.Unknown, InterfaceType.Normal, LinkState.Unknown, ProbeState.Disabled,
                InterfaceFlags.Active, TargetInfo.Disabled, TargetInfo.Disabled),
        ],
        Addresses:
        [
            new AddressStatus(Ip("10.1.1.50"), 24, AddressState.Up, "ipmp1", "net4"),
            new AddressStatus(Ip("fe80::214:4fff:fe21:f0c8"), 10, AddressState.Up, "ipmp0", "net1"),
            new AddressStatus(Ip("192.168.10.52"), 24, AddressState.Down, "ipmp0", ""),
            new AddressStatus(Ip("2001:db8::50"), 64, AddressState.Up, "ipmp0", "net2"),
        ]);

    public static ProbeEvent AckedProbe { get; } = new(589, "net1", ProbeEventState.Acked,
        TimeSpan.FromTicks(10_000_001_234), TimeSpan.FromTicks(10_000_002_234), TimeSpan.FromTicks(10_000_007_334),
        TimeSpan.FromTicks(10_000_008_834), Ip("192.168.10.5"), TimeSpan.FromTicks(7_000), TimeSpan.FromTicks(501));

    public static ProbeEvent LostProbe { get; } = new(65535, "net2", ProbeEventState.Lost,
        TimeSpan.FromTicks(20_000_000_000), TimeSpan.FromTicks(20_000_000_001), null, null, Ip("::"), null, null);

    public static StateChange Change { get; } = new(TimeSpan.FromMilliseconds(4321.0001), "interface-failed", "ipmp0", "net1",
        "net1 has failed: \"quotes\", unicode \u00e9, newline \n inside");

    /// <summary>A canonical text of a snapshot built from the Core records alone (ticks, scopes and all).</summary>
    public static string Canon(IpmpSnapshot s)
    {
        var sb = new StringBuilder();
        foreach (GroupStatus g in s.Groups)
            sb.AppendLine($"G {g.Name}|{g.IpmpInterfaceName}|{g.State}|{g.FailureDetectionTime?.Ticks}|{string.Join(",", g.Interfaces)}|{g.Signature}");
        foreach (InterfaceStatus i in s.Interfaces)
            sb.AppendLine($"I {i.Name}|{i.Group}|{i.State}|{i.Type}|{i.Link}|{i.Probe}|{(int)i.Flags}|{Canon(i.V4)}|{Canon(i.V6)}");
        foreach (AddressStatus a in s.Addresses)
            sb.AppendLine($"A {a.Address}|{Scope(a.Address)}|{a.PrefixLength}|{a.State}|{a.Group}|{a.Inbound}");
        return sb.ToString();
    }

    private static string Canon(TargetInfo t) =>
        $"{t.TestAddress}/{t.Mode}/{string.Join(",", t.Targets.Select(a => a + "#" + Scope(a)))}";

    private static long Scope(IPAddress a) => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? a.ScopeId : -1;

    /// <summary>A random snapshot: names with odd characters, any enum values, any durations and signatures.</summary>
    public static IpmpSnapshot Random(Random r)
    {
        string Name() => r.Next(6) switch
        {
            0 => "",
            1 => "eth" + r.Next(100),
            2 => "名前" + r.Next(10),
            3 => "a\"b\\c\u0001d",
            _ => new string(Enumerable.Range(0, r.Next(1, 20)).Select(_ => (char)r.Next(32, 127)).ToArray()),
        };
        IPAddress Addr()
        {
            if (r.Next(2) == 0)
                return new IPAddress(r.NextInt64(0, 1L << 32));
            var bytes = new byte[16];
            r.NextBytes(bytes);
            return r.Next(3) == 0 ? new IPAddress(bytes, r.Next(0, 100)) : new IPAddress(bytes);
        }
        TimeSpan Dur() => TimeSpan.FromTicks(r.NextInt64(-1L << 45, 1L << 50));
        T E<T>() where T : struct, Enum { var v = Enum.GetValues<T>(); return v[r.Next(v.Length)]; }
        TargetInfo Target() => r.Next(3) == 0
            ? TargetInfo.Disabled
            : new TargetInfo(r.Next(4) == 0 ? null : Addr(), E<TargetMode>(), [.. Enumerable.Range(0, r.Next(6)).Select(_ => Addr())]);

        return new IpmpSnapshot(
            [.. Enumerable.Range(0, r.Next(5)).Select(_ => new GroupStatus(Name(), Name(), E<GroupState>(),
                r.Next(3) == 0 ? null : Dur(), [.. Enumerable.Range(0, r.Next(5)).Select(_ => Name())], (ulong)r.NextInt64() * 3))],
            [.. Enumerable.Range(0, r.Next(8)).Select(_ => new InterfaceStatus(Name(), Name(), E<InterfaceState>(), E<InterfaceType>(),
                E<LinkState>(), E<ProbeState>(), (InterfaceFlags)r.Next(0, 128), Target(), Target()))],
            [.. Enumerable.Range(0, r.Next(8)).Select(_ => new AddressStatus(Addr(), r.Next(0, 129), E<AddressState>(), Name(), Name()))]);
    }

    public static ProbeEvent RandomProbe(Random r)
    {
        TimeSpan Dur() => TimeSpan.FromTicks(r.NextInt64(-1L << 45, 1L << 50));
        TimeSpan? Opt() => r.Next(3) == 0 ? null : Dur();
        var states = Enum.GetValues<ProbeEventState>();
        var bytes = new byte[r.Next(2) == 0 ? 4 : 16];
        r.NextBytes(bytes);
        return new ProbeEvent((ushort)r.Next(65536), "if" + r.Next(1000), states[r.Next(states.Length)], Dur(), Dur(), Opt(), Opt(),
            new IPAddress(bytes), Opt(), Opt());
    }
}

/// <summary>A fact that needs root (to run a client under another uid); skipped otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsUidZero())
            Skip = "needs root (runs a client under uid 65534 with setpriv)";
        else if (!File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3"))
            Skip = "needs /usr/bin/setpriv and /usr/bin/python3";
    }

    private static bool IsUidZero()
    {
        try
        {
            return File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t')[1] == "0");
        }
        catch (IOException)
        {
            return false;
        }
    }
}
