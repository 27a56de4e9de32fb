using System.Text;
using Ipmp.Core.Engine;
using Ipmp.Host.State;
using Microsoft.Extensions.Logging;

namespace Ipmp.Host.Tests;

/// <summary>The state file: its format, validation against this boot, atomic replacement, and the
/// background writer (coalescing, failures logged and retried, never thrown).</summary>
public sealed class StateFileTests : IDisposable
{
    private const string Boot = "0b0b0b0b-1111-2222-3333-444455556666";
    private readonly string _dir = Directory.CreateTempSubdirectory("ipmp-state-").FullName;

    private static readonly RememberedState Sample = new([
        new RememberedInterface("eth0", "ipmp0", 2, null, Offline: true, Inactive: false),
        new RememberedInterface("eth1", "ipmp0", 3, FailureCause.Probe, false, false),
        new RememberedInterface("eth2", "ipmp0", 4, null, false, Inactive: true),
        new RememberedInterface("eth3", "ipmp0", 5, FailureCause.Link, false, false),
    ]);

    private string PathOf(string name = "state.json") => Path.Combine(_dir, name);

    private static byte[] Bytes(RememberedState state, long monotonicMs = 1000) =>
        StateFile.Serialize(state, Boot, monotonicMs, DateTimeOffset.UnixEpoch);

    private static StateFile.ReadResult Parse(string json, string? boot = Boot, long now = 5000) =>
        StateFile.Parse("f", Encoding.UTF8.GetBytes(json), boot, now);

    [Fact]
    public void Round_trip_through_the_file_keeps_every_flag()
    {
        StateFile.Write(PathOf(), Bytes(Sample));
        var read = StateFile.Read(PathOf(), Boot, 4000);
        Assert.Null(read.Warning);
        Assert.Equal(Sample, read.State);
        Assert.Equal(TimeSpan.FromSeconds(3), read.Age);
    }

    [Fact]
    public void The_format_is_plain_versioned_json()
    {
        var json = Encoding.UTF8.GetString(Bytes(Sample));
        Assert.Contains("\"version\": 1", json);
        Assert.Contains($"\"bootId\": \"{Boot}\"", json);
        Assert.Contains("\"monotonicMs\": 1000", json);
        Assert.Contains("\"writtenAt\": \"1970-01-01T00:00:00.000Z\"", json);
        Assert.Contains("\"name\": \"eth1\"", json);
        Assert.Contains("\"failed\": \"probe\"", json);
        Assert.Contains("\"failed\": \"link\"", json);
        Assert.Contains("\"ifIndex\": 3", json);
        // Hand-written (by an operator or a future version): minimal entries read as not failed, online, active.
        var read = Parse($$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","group":"g","ifIndex":9}]}""");
        Assert.Equal(new RememberedInterface("eth0", "g", 9, null, false, false), Assert.Single(read.State!.Interfaces));
    }

    [Fact]
    public void A_missing_file_is_no_memory_and_no_warning()
    {
        var read = StateFile.Read(PathOf("absent.json"), Boot, 1);
        Assert.Null(read.State);
        Assert.Null(read.Warning);
    }

    public static TheoryData<string, string> Unusable => new()
    {
        { "", "corrupt" },
        { "{", "corrupt" },
        { "null", "corrupt" },
        { "[]", "corrupt" },
        { "\"x\"", "corrupt" },
        { $$"""{"version":2,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[]}""", "format version 2" },
        { $$"""{"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[]}""", "no format version" },
        { $$"""{"version":"1","bootId":"{{Boot}}","monotonicMs":1,"interfaces":[]}""", "corrupt" },
        { """{"version":1,"bootId":"ffffffff-0000-0000-0000-000000000000","monotonicMs":1,"interfaces":[]}""", "another boot id" },
        { """{"version":1,"monotonicMs":1,"interfaces":[]}""", "required" },
        { $$"""{"version":1,"bootId":"{{Boot}}","interfaces":[]}""", "required" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1}""", "required" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":999999,"interfaces":[]}""", "later than now" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[null]}""", "null interface" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"group":"g","ifIndex":1}]}""", "bad interface name" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"a/b","group":"g","ifIndex":1}]}""", "bad interface name" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"abcdefghijklmnop","group":"g","ifIndex":1}]}""", "bad interface name" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","ifIndex":1}]}""", "bad group" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","group":"g","ifIndex":0}]}""", "bad ifIndex" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","group":"g","ifIndex":1,"failed":"yes"}]}""", "not \"probe\" or \"link\"" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","group":"g","ifIndex":1},{"name":"eth0","group":"g","ifIndex":2}]}""", "listed twice" },
        { $$"""{"version":1,"bootId":"{{Boot}}","monotonicMs":1,"interfaces":[{"name":"eth0","group":"g","ifIndex":1,"offline":"no"}]}""", "corrupt" },
    };

    [Theory, MemberData(nameof(Unusable))]
    public void A_stale_or_corrupt_file_is_ignored_with_the_reason(string json, string reason)
    {
        var read = Parse(json);
        Assert.Null(read.State);
        Assert.NotNull(read.Warning);
        Assert.StartsWith("state file f ignored: ", read.Warning);
        Assert.Contains(reason, read.Warning);
    }

    [Fact]
    public void Without_this_boots_id_nothing_is_trusted()
    {
        var read = StateFile.Parse("f", Bytes(Sample), bootId: null, 5000);
        Assert.Null(read.State);
        Assert.Contains("boot's id is unknown", read.Warning);
    }

    [Fact]
    public void A_file_of_garbage_or_too_large_is_ignored_not_thrown()
    {
        File.WriteAllBytes(PathOf(), [0xff, 0xfe, 0x00, 0x01]);
        Assert.NotNull(StateFile.Read(PathOf(), Boot, 1).Warning);
        File.WriteAllBytes(PathOf(), new byte[StateFile.MaxBytes + 1]);
        Assert.Contains("larger than", StateFile.Read(PathOf(), Boot, 1).Warning);
        Directory.CreateDirectory(PathOf("a-directory"));
        Assert.NotNull(StateFile.Read(PathOf("a-directory"), Boot, 1).Warning);
    }

    [Fact]
    public void Write_replaces_atomically_and_leaves_no_temporary_file()
    {
        File.WriteAllText(PathOf(), "old");
        StateFile.Write(PathOf(), Bytes(Sample));
        Assert.Equal(Sample, StateFile.Read(PathOf(), Boot, 2000).State);
        Assert.Equal(["state.json"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(PathOf()) & ~(UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
    }

    [Fact]
    public void Write_creates_the_directory()
    {
        var path = Path.Combine(_dir, "run", "ipmp", "state.json");
        StateFile.Write(path, Bytes(Sample));
        Assert.Equal(Sample, StateFile.Read(path, Boot, 2000).State);
    }

    [Fact]
    public void The_default_path_is_beside_the_control_socket()
    {
        Assert.Equal("/run/ipmp/state.json", StateFile.DefaultPath("/run/ipmp/ipmpd.sock"));
        Assert.Equal("/tmp/lab/state.json", StateFile.DefaultPath("/tmp/lab/ipmpd.sock"));
    }

    [Fact]
    public void The_boot_id_is_read_from_the_kernel()
    {
        var id = StateFile.CurrentBootId();
        Assert.NotNull(id);
        Assert.True(Guid.TryParse(id, out _), id);
    }

    [Fact]
    public void The_writer_coalesces_a_burst_and_ends_with_the_newest_state()
    {
        var logger = new ListLogger();
        var written = new List<string>();
        using (var writer = new StateWriter(PathOf(), Boot, logger, (p, bytes) =>
        {
            lock (written) written.Add(Encoding.UTF8.GetString(bytes.Span));
            Thread.Sleep(5);
            StateFile.Write(p, bytes.Span);
        }))
        {
            for (var i = 1; i <= 200; i++)
                writer.Offer(new RememberedState([new RememberedInterface("eth0", "g", i, null, false, false)]));
        }
        Assert.InRange(written.Count, 1, 20);
        Assert.Equal(200, Assert.Single(StateFile.Read(PathOf(), Boot, StateFile.MonotonicMs()).State!.Interfaces).IfIndex);
        Assert.DoesNotContain(logger.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public void The_first_change_after_a_quiet_time_is_written_at_once()
    {
        using var writer = new StateWriter(PathOf(), Boot, new ListLogger());
        writer.Offer(Sample);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (writer.Writes == 0 && sw.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(1);
        Assert.Equal(1, writer.Writes);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1), $"{sw.Elapsed}");
        writer.Offer(Sample);   // the same again: not written
        Thread.Sleep(200);
        Assert.Equal(1, writer.Writes);
    }

    [Fact]
    public void A_failing_write_is_logged_once_retried_and_never_thrown()
    {
        var logger = new ListLogger();
        var attempts = 0;
        using var writer = new StateWriter(PathOf(), Boot, logger, (p, bytes) =>
        {
            if (Interlocked.Increment(ref attempts) <= 2) throw new IOException("No space left on device");
            StateFile.Write(p, bytes.Span);
        });
        writer.Offer(Sample);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (writer.Writes == 0 && sw.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(10);
        Assert.Equal(1, writer.Writes);
        Assert.Equal(3, attempts);
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("No space left on device"));
        Assert.Single(logger.Lines, l => l.Text.Contains("written again after 2 failed attempt(s)"));
        Assert.Equal(Sample, StateFile.Read(PathOf(), Boot, StateFile.MonotonicMs()).State);
    }

    [Fact]
    public async Task An_unexpected_exception_in_the_writer_is_a_crash_not_a_silent_end_of_the_memory()
    {
        var logger = new ListLogger();
        var exitCode = new TaskCompletionSource<int>();
        var supervisor = new Ipmp.Host.Runtime.Supervisor(logger, code => exitCode.TrySetResult(code));
        using var writer = new StateWriter(PathOf(), Boot, logger, (_, _) => throw new InvalidOperationException("a bug in the writer"),
            supervisor.StartThread);
        writer.Offer(Sample);
        Assert.Equal(Ipmp.Host.Runtime.Supervisor.CrashExitCode, await exitCode.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.Done.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains(logger.Lines, l => l.Level == LogLevel.Critical && l.Text.Contains(StateWriter.ThreadName) && l.Text.Contains("a bug in the writer"));
    }

    [Fact]
    public void Opening_a_corrupt_file_warns_and_remembers_nothing()
    {
        File.WriteAllText(PathOf(), "{\"version\":1,");
        var logger = new ListLogger();
        using var memory = DaemonMemory.Open(PathOf(), logger);
        Assert.Null(memory.Restored);
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning && l.Text.Contains("ignored: corrupt"));
    }

    [Fact]
    public void Opening_a_file_of_this_boot_restores_it()
    {
        StateFile.Write(PathOf(), StateFile.Serialize(Sample, StateFile.CurrentBootId()!, StateFile.MonotonicMs(), DateTimeOffset.UtcNow));
        var logger = new ListLogger();
        using var memory = DaemonMemory.Open(PathOf(), logger);
        Assert.Equal(Sample, memory.Restored);
        Assert.Contains(logger.Lines, l => l.Text.Contains("eth1 failed (probe failure)"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class ListLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Text)> _lines = [];

        /// <summary>A copy: the writer's thread may log while a test reads.</summary>
        public List<(LogLevel Level, string Text)> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add((logLevel, formatter(state, exception)));
        }
    }
}
