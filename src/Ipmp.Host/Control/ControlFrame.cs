using System.Buffers.Binary;
using System.Globalization;

namespace Ipmp.Host.Control;

/// <summary>Length-delimited frames: a 4-byte big-endian body length (1 … 1 MiB), then the body.</summary>
internal static class ControlFrame
{
    public const int HeaderBytes = 4;

    /// <summary>The header and body as one buffer (so a frame goes out in one write).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> body)
    {
        if (body.Length is 0 or > ControlProtocol.MaxFrameBytes)
            throw new ArgumentOutOfRangeException(nameof(body), body.Length, "frame body must be 1 to 1 MiB");
        var frame = new byte[HeaderBytes + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame.AsSpan(HeaderBytes));
        return frame;
    }

    /// <summary>Checks a header's length; null if valid, else the reason.</summary>
    public static string? CheckLength(uint length) => length switch
    {
        0 => "empty frame",
        > ControlProtocol.MaxFrameBytes => string.Create(CultureInfo.InvariantCulture,
            $"frame too large ({length} bytes; the limit is {ControlProtocol.MaxFrameBytes})"),
        _ => null,
    };

    /// <summary>
    /// Reads one frame body. Returns null if the stream ends cleanly before the first header byte; throws
    /// <see cref="ControlProtocolException"/> for a bad length or a frame cut short.
    /// </summary>
    public static async ValueTask<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderBytes];
        int got = await ReadFullyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < HeaderBytes)
            throw new ControlProtocolException("truncated frame header");
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (CheckLength(length) is { } problem)
            throw new ControlProtocolException(problem);
        // Allocated as the bytes arrive, not as the header claims: a client that announces 1 MiB and sends
        // nothing costs a few KiB, however many of them connect.
        var body = new byte[Math.Min((int)length, InitialBodyBytes)];
        var total = 0;
        while (true)
        {
            got = await ReadFullyAsync(stream, body.AsMemory(total), cancellationToken).ConfigureAwait(false);
            total += got;
            if (total == length) return body;
            if (total < body.Length)
                throw new ControlProtocolException(string.Create(CultureInfo.InvariantCulture,
                    $"truncated frame ({total} of {length} bytes)"));
            Array.Resize(ref body, (int)Math.Min(length, (long)body.Length * 2));
        }
    }

    /// <summary>The first allocation for a frame body; it doubles as more arrives.</summary>
    internal const int InitialBodyBytes = 4096;

    private static async ValueTask<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}
