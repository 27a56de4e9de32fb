using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ipmp.Core.Engine;

namespace Ipmp.Host.State;

/// <summary>
/// The daemon's memory across restarts on disk: what <see cref="IpmpEngine.Remember"/> returned, with the
/// boot it belongs to. Default <c>state.json</c> beside the control socket (<c>/run/ipmp/state.json</c>).
/// <code>
/// {
///   "version": 1,
///   "bootId": "6f1c…",                  /proc/sys/kernel/random/boot_id when written
///   "monotonicMs": 81234567,            CLOCK_MONOTONIC (ms since boot) when written
///   "writtenAt": "2026-11-23T10:00:00.000Z",   for people only
///   "interfaces": [
///     { "name": "eth1", "group": "ipmp0", "ifIndex": 3, "failed": "probe", "offline": false, "inactive": false }
///   ]
/// }
/// </code>
/// <c>failed</c> is <c>"probe"</c>, <c>"link"</c> or absent (not failed). A file is used only when it is
/// well-formed in every part (a file we did not write whole is trusted in no part), of this format version,
/// and from this boot: after a reboot nothing remembered holds (interface indexes are handed out anew, and
/// the failures were of another life). There is deliberately no age bound within a boot: OFFLINE is the
/// operator's word and lasts, like illumos' IFF_OFFLINE kernel flag, until <c>ipmp online</c> or a reboot;
/// a remembered failure that is no longer true costs 10 answered probes (≈1.4 × FDT) of redundancy and moves
/// no address, while forgetting a true one costs an outage of the 40 s quiet period plus an FDT; and an
/// interface re-plumbed since (another ifindex) is ignored by the engine anyway.
/// </summary>
public static class StateFile
{
    public const int FormatVersion = 1;
    public const string DefaultFileName = "state.json";

    /// <summary>No state file we write comes near this; anything larger is not ours.</summary>
    public const int MaxBytes = 1 << 20;

    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";

    /// <summary>Beside the control socket (so that daemons with their own sockets have their own memory).</summary>
    public static string DefaultPath(string socketPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath)) ?? "/", DefaultFileName);

    /// <summary>This boot's id, or null when the kernel does not tell.</summary>
    public static string? CurrentBootId()
    {
        try
        {
            var id = File.ReadAllText(BootIdPath).Trim();
            return id.Length > 0 ? id : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What the clock <c>monotonicMs</c> counts: milliseconds since boot (CLOCK_MONOTONIC).</summary>
    public static long MonotonicMs() => Environment.TickCount64;

    /// <summary>The outcome of reading: a state to restore, or none with the reason (a warning for a file
    /// that exists but cannot be used; null when there simply is no file).</summary>
    public sealed record ReadResult(RememberedState? State, string? Warning, TimeSpan? Age = null);

    /// <summary>Reads and validates the file at <paramref name="path"/> against this boot. Never throws.</summary>
    public static ReadResult Read(string path, string? bootId, long monotonicNowMs)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (stream.Length > MaxBytes) return Unusable(path, $"larger than {MaxBytes} bytes");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ReadResult(null, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unusable(path, e.Message);
        }
        return Parse(path, bytes, bootId, monotonicNowMs);
    }

    /// <summary>Validates a file's content (separate from the I/O for tests).</summary>
    public static ReadResult Parse(string path, ReadOnlySpan<byte> bytes, string? bootId, long monotonicNowMs)
    {
        StateFileDto dto;
        try
        {
            dto = JsonSerializer.Deserialize(bytes, StateJsonContext.Default.StateFileDto)
                ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            return Unusable(path, $"corrupt: {Shorten(e.Message)}");
        }

        if (dto.Version != FormatVersion)
            return Unusable(path, dto.Version is { } v ? $"format version {v}, this daemon reads {FormatVersion}" : "corrupt: no format version");
        if (string.IsNullOrEmpty(dto.BootId) || dto.MonotonicMs is not { } written || dto.Interfaces is null)
            return Unusable(path, "corrupt: bootId, monotonicMs and interfaces are required");
        if (bootId is null)
            return Unusable(path, "this boot's id is unknown, so the file cannot be known to be of this boot");
        if (!string.Equals(dto.BootId, bootId, StringComparison.OrdinalIgnoreCase))
            return Unusable(path, "written before the last reboot (another boot id): nothing remembered holds");
        if (written < 0 || written > monotonicNowMs)
            return Unusable(path, "corrupt: written later than now in this boot");

        var entries = ImmutableArray.CreateBuilder<RememberedInterface>(dto.Interfaces.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var i in dto.Interfaces)
        {
            if (i is null) return Unusable(path, "corrupt: null interface entry");
            var problem = !ValidInterfaceName(i.Name) ? $"bad interface name {Quote(i.Name)}"
                : string.IsNullOrEmpty(i.Group) || i.Group.Length > 256 ? $"{i.Name}: bad group"
                : i.IfIndex is not > 0 ? $"{i.Name}: bad ifIndex"
                : i.Failed is not (null or "probe" or "link") ? $"{i.Name}: failed is {Quote(i.Failed)}, not \"probe\" or \"link\""
                : !names.Add(i.Name!) ? $"{i.Name} listed twice"
                : null;
            if (problem is not null) return Unusable(path, $"corrupt: {problem}");
            FailureCause? cause = i.Failed switch { "probe" => FailureCause.Probe, "link" => FailureCause.Link, _ => null };
            entries.Add(new RememberedInterface(i.Name!, i.Group!, i.IfIndex!.Value, cause, i.Offline ?? false, i.Inactive ?? false));
        }
        return new ReadResult(new RememberedState(entries.ToImmutable()), null, TimeSpan.FromMilliseconds(monotonicNowMs - written));
    }

    /// <summary>The file's bytes for <paramref name="state"/> (indented: it is small and read by people).</summary>
    public static byte[] Serialize(RememberedState state, string bootId, long monotonicMs, DateTimeOffset now)
    {
        var dto = new StateFileDto
        {
            Version = FormatVersion,
            BootId = bootId,
            MonotonicMs = monotonicMs,
            WrittenAt = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            Interfaces = [.. state.Interfaces.Select(i => new StateInterfaceDto
            {
                Name = i.Name,
                Group = i.Group,
                IfIndex = i.IfIndex,
                Failed = i.Failed switch { FailureCause.Probe => "probe", FailureCause.Link => "link", _ => null },
                Offline = i.Offline,
                Inactive = i.Inactive,
            })],
        };
        return JsonSerializer.SerializeToUtf8Bytes(dto, StateJsonContext.Default.StateFileDto);
    }

    /// <summary>
    /// Replaces the file atomically: the bytes go to a temporary file in the same directory, which is
    /// fsync'ed and renamed over the old one, so a reader (the next daemon) sees the old file or the new,
    /// never a part. The directory is created (0755) if missing. The directory itself is not fsync'ed: after
    /// a crash of the kernel the boot id differs and the file is ignored anyway.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? "/";
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            }))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);   // rename(2)
        }
        catch
        {
            try { File.Delete(temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>Linux interface names: 1–15 bytes, no '/', ':' or white space.</summary>
    private static bool ValidInterfaceName(string? name) =>
        !string.IsNullOrEmpty(name) && Encoding.UTF8.GetByteCount(name) <= 15 && name is not ("." or "..")
        && !name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || char.IsControl(c));

    private static ReadResult Unusable(string path, string why) => new(null, $"state file {path} ignored: {why}");

    private static string Quote(string? s) => s is null ? "null" : $"\"{Shorten(s)}\"";

    private static string Shorten(string s) => s.Length <= 120 ? s : s[..120] + "…";
}

internal sealed class StateFileDto
{
    public int? Version { get; set; }
    public string? BootId { get; set; }
    public long? MonotonicMs { get; set; }
    public string? WrittenAt { get; set; }
    public List<StateInterfaceDto?>? Interfaces { get; set; }
}

internal sealed class StateInterfaceDto
{
    public string? Name { get; set; }
    public string? Group { get; set; }
    public int? IfIndex { get; set; }
    public string? Failed { get; set; }
    public bool? Offline { get; set; }
    public bool? Inactive { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = true,
    MaxDepth = 8)]
[JsonSerializable(typeof(StateFileDto))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
