using System.Globalization;
using System.Text;
using System.Text.Json;
using Ipmp.Core.Engine;

namespace Ipmp.Host.Control;

/// <summary>A decoded, validated request.</summary>
/// <param name="Op">One of <see cref="ControlProtocol.Ops"/>.</param>
/// <param name="Interface">offline / online: the interface name.</param>
/// <param name="MinRedundancy">offline: how many other usable members must remain (if_mpadm asks for 1).</param>
/// <param name="Probes">subscribe: stream probe events.</param>
/// <param name="Changes">subscribe: stream state changes.</param>
internal sealed record ControlRequest(string Op, string? Interface = null, int MinRedundancy = 1, bool Probes = false, bool Changes = false);

/// <summary>JSON bodies of requests, replies and events (framing is <see cref="ControlFrame"/>'s job).</summary>
internal static class ControlCodec
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 16 };

    public static byte[] EncodeRequest(ControlRequest request)
    {
        var dto = new RequestDto { V = ControlProtocol.Version, Op = request.Op };
        switch (request.Op)
        {
            case ControlProtocol.Ops.Offline:
                dto.Interface = request.Interface;
                dto.MinRedundancy = request.MinRedundancy;
                break;
            case ControlProtocol.Ops.Online:
                dto.Interface = request.Interface;
                break;
            case ControlProtocol.Ops.Subscribe:
                dto.Probes = request.Probes;
                dto.Changes = request.Changes;
                break;
        }
        return JsonSerializer.SerializeToUtf8Bytes(dto, ControlJsonContext.Default.RequestDto);
    }

    /// <summary>Validates and decodes a request body; the exception message is what the error reply says.</summary>
    public static ControlRequest DecodeRequest(ReadOnlySpan<byte> body)
    {
        try
        {
            return DecodeRequestCore(body);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or DecoderFallbackException)
        {
            // System.Text.Json throws these for some invalid input (e.g. an escaped lone surrogate)
            throw new ControlProtocolException("malformed request: " + Shorten(e.Message), e);
        }
    }

    private static ControlRequest DecodeRequestCore(ReadOnlySpan<byte> body)
    {
        JsonElement root = ParseVersioned(body, "request");
        RequestDto dto;
        try
        {
            dto = root.Deserialize(ControlJsonContext.Default.RequestDto)
                  ?? throw new ControlProtocolException("malformed request: null");
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException("malformed request: " + Shorten(e.Message), e);
        }

        switch (dto.Op)
        {
            case null:
                throw new ControlProtocolException("malformed request: missing \"op\"");
            case ControlProtocol.Ops.Ping:
            case ControlProtocol.Ops.Snapshot:
            case ControlProtocol.Ops.Reload:
                return new ControlRequest(dto.Op);
            case ControlProtocol.Ops.Offline:
                if (dto.MinRedundancy is < 0)
                    throw new ControlProtocolException("malformed request: negative \"minRedundancy\"");
                return new ControlRequest(dto.Op, InterfaceName(dto), dto.MinRedundancy ?? 1);
            case ControlProtocol.Ops.Online:
                return new ControlRequest(dto.Op, InterfaceName(dto));
            case ControlProtocol.Ops.Subscribe:
                bool probes = dto.Probes ?? false, changes = dto.Changes ?? false;
                if (!probes && !changes)
                    throw new ControlProtocolException("malformed request: subscribe needs \"probes\" or \"changes\"");
                return new ControlRequest(dto.Op, Probes: probes, Changes: changes);
            default:
                throw new ControlProtocolException($"unknown request \"{Shorten(dto.Op)}\"");
        }
    }

    private static string InterfaceName(RequestDto dto) =>
        string.IsNullOrEmpty(dto.Interface)
            ? throw new ControlProtocolException($"malformed request: {dto.Op} needs \"interface\"")
            : dto.Interface;

    public static byte[] EncodeReply(ReplyDto reply)
    {
        reply.V = ControlProtocol.Version;
        return JsonSerializer.SerializeToUtf8Bytes(reply, ControlJsonContext.Default.ReplyDto);
    }

    /// <summary>An error reply: <paramref name="error"/>, its message, and an errno for Failure-by-errno.</summary>
    public static ReplyDto ErrorReply(IpmpError error, string message, int? errno = null) =>
        new() { Ok = false, Error = (int)error, Message = message, Errno = errno };

    public static ReplyDto SuccessReply() =>
        new() { Ok = true, Error = (int)IpmpError.Success, Message = AdminResult.Describe(IpmpError.Success) };

    public static ReplyDto DecodeReply(ReadOnlySpan<byte> body)
    {
        try
        {
            return DecodeReplyCore(body);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or DecoderFallbackException)
        {
            // System.Text.Json throws these for some invalid input (e.g. an escaped lone surrogate)
            throw new ControlProtocolException("malformed reply: " + Shorten(e.Message), e);
        }
    }

    private static ReplyDto DecodeReplyCore(ReadOnlySpan<byte> body)
    {
        JsonElement root = ParseVersioned(body, "reply");
        ReplyDto dto;
        try
        {
            dto = root.Deserialize(ControlJsonContext.Default.ReplyDto) ?? throw new ControlProtocolException("malformed reply: null");
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException("malformed reply: " + Shorten(e.Message), e);
        }
        if (dto.Ok is null || dto.Error is null)
            throw new ControlProtocolException("malformed reply: missing \"ok\" or \"error\"");
        return dto;
    }

    public static byte[] EncodeEvent(EventDto e)
    {
        e.V = ControlProtocol.Version;
        return JsonSerializer.SerializeToUtf8Bytes(e, ControlJsonContext.Default.EventDto);
    }

    public static EventDto DecodeEvent(ReadOnlySpan<byte> body)
    {
        try
        {
            return DecodeEventCore(body);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or JsonException or DecoderFallbackException)
        {
            // System.Text.Json throws these for some invalid input (e.g. an escaped lone surrogate)
            throw new ControlProtocolException("malformed event: " + Shorten(e.Message), e);
        }
    }

    private static EventDto DecodeEventCore(ReadOnlySpan<byte> body)
    {
        JsonElement root = ParseVersioned(body, "event");
        try
        {
            EventDto dto = root.Deserialize(ControlJsonContext.Default.EventDto) ?? throw new ControlProtocolException("malformed event: null");
            return dto.Event is null ? throw new ControlProtocolException("malformed event: missing \"event\"") : dto;
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException("malformed event: " + Shorten(e.Message), e);
        }
    }

    /// <summary>Parses a JSON object and checks its <c>"v"</c> before anything else is looked at.</summary>
    private static JsonElement ParseVersioned(ReadOnlySpan<byte> body, string what)
    {
        JsonElement root;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(body.ToArray(), DocumentOptions);
            root = doc.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or DecoderFallbackException)
        {
            throw new ControlProtocolException($"malformed {what}: not valid UTF-8 JSON", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new ControlProtocolException($"malformed {what}: not a JSON object");
        if (!root.TryGetProperty("v", out JsonElement v))
            throw new ControlProtocolException($"malformed {what}: missing protocol version \"v\"");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int version))
            throw new ControlProtocolException($"malformed {what}: invalid protocol version \"v\"");
        if (version != ControlProtocol.Version)
            throw new ControlVersionException(version);
        return root;
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "...";
}

/// <summary>The peer speaks another protocol version.</summary>
internal sealed class ControlVersionException(int version) : FormatException(string.Create(CultureInfo.InvariantCulture,
    $"unsupported protocol version {version} (this side speaks version {ControlProtocol.Version})"))
{
    public int PeerVersion { get; } = version;
}
