using System.Net;
using System.Text;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Walks rtattr TLVs (RTA_OK / RTA_NEXT). A header that is short or claims more bytes than remain stops
/// the walk and sets <see cref="IsMalformed"/>; callers then drop the whole message.
/// </summary>
internal ref struct RtAttributeReader(ReadOnlySpan<byte> attributes)
{
    private ReadOnlySpan<byte> _rest = attributes;

    public bool IsMalformed { get; private set; }

    public bool TryRead(out ushort type, out ReadOnlySpan<byte> value)
    {
        type = 0;
        value = default;
        if (_rest.IsEmpty) return false;
        if (_rest.Length < rtattr.Size) return Fail();
        var a = rtattr.Read(_rest);
        if (a.rta_len < rtattr.Size || a.rta_len > _rest.Length) return Fail();
        type = (ushort)(a.rta_type & rtattr.TypeMask);
        value = _rest[rtattr.Size..a.rta_len];
        _rest = _rest[Math.Min(Nl.Align(a.rta_len), _rest.Length)..];
        return true;
    }

    private bool Fail()
    {
        IsMalformed = true;
        _rest = default;
        return false;
    }

    // Value decoders: each returns false (rather than throwing) when the payload has the wrong size.

    public static bool TryU32(ReadOnlySpan<byte> v, out uint value)
    {
        value = v.Length >= 4 ? HostOrder.ReadU32(v) : 0;
        return v.Length >= 4;
    }

    public static bool TryU8(ReadOnlySpan<byte> v, out byte value)
    {
        value = v.Length >= 1 ? v[0] : (byte)0;
        return v.Length >= 1;
    }

    public static string ReadString(ReadOnlySpan<byte> v)
    {
        var nul = v.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? v[..nul] : v);
    }

    /// <summary>An address of the given AF_ family: exactly 4 (AF_INET) or 16 (AF_INET6) bytes.</summary>
    public static bool TryAddress(byte family, ReadOnlySpan<byte> v, out IPAddress? address)
    {
        address = null;
        var want = family == Nl.AF_INET ? 4 : family == Nl.AF_INET6 ? 16 : -1;
        if (v.Length != want) return false;
        address = new IPAddress(v);
        return true;
    }
}
