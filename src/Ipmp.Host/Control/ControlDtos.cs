using System.Text.Json;
using System.Text.Json.Serialization;
using Ipmp.Core.Status;

namespace Ipmp.Host.Control;

// The JSON shapes of the control protocol. They are separate from the Core records on purpose: the wire
// format is fixed here and documented in README.md, whatever the Core records become. Names are camelCase,
// enums are lower snake_case strings, durations are milliseconds as JSON numbers (fractions allowed,
// 100 ns resolution), addresses are strings. Absent members read as null; ControlMapper decides what is
// required.

/// <summary>A request frame.</summary>
internal sealed class RequestDto
{
    [JsonPropertyName("v")] public int? V { get; set; }
    public string? Op { get; set; }
    public string? Interface { get; set; }
    public int? MinRedundancy { get; set; }
    public bool? Probes { get; set; }
    public bool? Changes { get; set; }
}

/// <summary>A reply frame (exactly one per request; for subscribe it precedes the event frames).</summary>
internal sealed class ReplyDto
{
    [JsonPropertyName("v")] public int? V { get; set; }
    public bool? Ok { get; set; }
    public int? Error { get; set; }
    public string? Message { get; set; }
    /// <summary>Set with error 1 (failure) when the cause is an errno, e.g. 1 (EPERM) for a privilege refusal.</summary>
    public int? Errno { get; set; }
    /// <summary>ping: the daemon's process id.</summary>
    public int? Pid { get; set; }
    /// <summary>ping and subscribe: the daemon's monotonic clock now, in ms (the clock probe times are on).</summary>
    public double? Now { get; set; }
    public SnapshotDto? Snapshot { get; set; }
    /// <summary>reload: whether the new configuration is in effect (false: the old one was kept).</summary>
    public bool? Applied { get; set; }
    public string[]? Diagnostics { get; set; }
}

/// <summary>An event frame, streamed after a successful subscribe reply.</summary>
internal sealed class EventDto
{
    [JsonPropertyName("v")] public int? V { get; set; }
    public string? Event { get; set; }
    public ProbeDto? Probe { get; set; }
    public ChangeDto? Change { get; set; }
    /// <summary>end: why the server ends the stream.</summary>
    public string? Message { get; set; }
}

internal sealed class SnapshotDto
{
    public GroupDto[]? Groups { get; set; }
    public InterfaceDto[]? Interfaces { get; set; }
    public AddressDto[]? Addresses { get; set; }
}

internal sealed class GroupDto
{
    public string? Name { get; set; }
    public string? IpmpInterface { get; set; }
    [JsonConverter(typeof(WireEnumConverter<GroupState>))] public GroupState? State { get; set; }
    /// <summary>ms; null when no member probes.</summary>
    public double? Fdt { get; set; }
    public string[]? Interfaces { get; set; }
    public ulong? Signature { get; set; }
}

internal sealed class InterfaceDto
{
    public string? Name { get; set; }
    public string? Group { get; set; }
    [JsonConverter(typeof(WireEnumConverter<InterfaceState>))] public InterfaceState? State { get; set; }
    [JsonConverter(typeof(WireEnumConverter<InterfaceType>))] public InterfaceType? Type { get; set; }
    [JsonConverter(typeof(WireEnumConverter<LinkState>))] public LinkState? Link { get; set; }
    [JsonConverter(typeof(WireEnumConverter<ProbeState>))] public ProbeState? Probe { get; set; }
    /// <summary>The InterfaceFlags bits: inactive 0x1, hwaddrdup 0x2, active 0x4, down 0x8 (as libipmp), v4 multicast 0x10, v4 broadcast 0x20, v6 multicast 0x40.</summary>
    public int? Flags { get; set; }
    public TargetDto? V4 { get; set; }
    public TargetDto? V6 { get; set; }
}

internal sealed class TargetDto
{
    public string? TestAddress { get; set; }
    [JsonConverter(typeof(WireEnumConverter<TargetMode>))] public TargetMode? Mode { get; set; }
    public string[]? Targets { get; set; }
    /// <summary>Transitive mode: the members probed (absent otherwise).</summary>
    public string[]? Peers { get; set; }
}

internal sealed class AddressDto
{
    public string? Address { get; set; }
    public int? PrefixLength { get; set; }
    [JsonConverter(typeof(WireEnumConverter<AddressState>))] public AddressState? State { get; set; }
    public string? Group { get; set; }
    public string? Inbound { get; set; }
}

internal sealed class ProbeDto
{
    public int? Id { get; set; }
    public string? Interface { get; set; }
    [JsonConverter(typeof(WireEnumConverter<ProbeEventState>))] public ProbeEventState? State { get; set; }
    public double? Start { get; set; }
    public double? Sent { get; set; }
    public double? AckReceived { get; set; }
    public double? AckProcessed { get; set; }
    public string? Target { get; set; }
    /// <summary>A transitive probe: the member it went to (absent for ICMP probes).</summary>
    public string? TargetPeer { get; set; }
    public double? RttAverage { get; set; }
    public double? RttDeviation { get; set; }
}

internal sealed class ChangeDto
{
    public double? At { get; set; }
    public string? Kind { get; set; }
    public string? Group { get; set; }
    public string? Interface { get; set; }
    public string? Detail { get; set; }
}

/// <summary>Enums on the wire: lower snake_case names only (no numbers), e.g. <c>"ok"</c>, <c>"multicast"</c>.</summary>
internal sealed class WireEnumConverter<T> : JsonStringEnumConverter<T> where T : struct, Enum
{
    public WireEnumConverter() : base(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) { }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = 16)]
[JsonSerializable(typeof(RequestDto))]
[JsonSerializable(typeof(ReplyDto))]
[JsonSerializable(typeof(EventDto))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
