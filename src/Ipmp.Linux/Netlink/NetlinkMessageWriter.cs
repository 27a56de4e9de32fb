using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ipmp.Linux.Netlink;

/// <summary>
/// Builds netlink requests in a reusable buffer: a header, a fixed struct, then rtattr TLVs, every item
/// padded to 4 bytes (NLMSG_ALIGN / RTA_ALIGN). Lengths are patched when a message or nest ends.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    private byte[] _buffer = new byte[512];
    private int _length;
    private int _messageStart = -1;
    private ushort _type;
    private ushort _flags;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
    }

    public void BeginMessage(ushort type, ushort flags)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("message already open");
        _messageStart = _length;
        _type = type;
        _flags = flags;
        Reserve(nlmsghdr.Size);
    }

    /// <summary>Closes the open message, writing its header now that the length is known.</summary>
    public void EndMessage(uint seq, uint pid)
    {
        if (_messageStart < 0) throw new InvalidOperationException("no open message");
        var len = (uint)(_length - _messageStart);
        new nlmsghdr(len, _type, _flags, seq, pid).Write(_buffer.AsSpan(_messageStart));
        _messageStart = -1;
    }

    /// <summary>Appends <paramref name="length"/> zeroed bytes plus alignment padding; returns the unpadded span.</summary>
    public Span<byte> Reserve(int length)
    {
        var padded = Nl.Align(length);
        if (_length + padded > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + padded));
        var span = _buffer.AsSpan(_length, padded);
        span.Clear();
        _length += padded;
        return span[..length];
    }

    /// <summary>The current write offset, to fill in a length later (see <see cref="Slice"/>).</summary>
    public int Position => _length;

    /// <summary>Already written bytes, to fill in a header whose length is known only later.</summary>
    public Span<byte> Slice(int offset, int length) => _buffer.AsSpan(offset, length);

    /// <summary>Appends an attribute header; returns its zeroed value span of <paramref name="size"/> bytes.</summary>
    public Span<byte> ReserveAttribute(ushort type, int size)
    {
        var span = Reserve(rtattr.Size + size);
        new rtattr((ushort)(rtattr.Size + size), type).Write(span);
        return span[rtattr.Size..];
    }

    public void AddAttribute(ushort type, ReadOnlySpan<byte> value) => value.CopyTo(ReserveAttribute(type, value.Length));

    public void AddU32(ushort type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        HostOrder.WriteU32(v, value);
        AddAttribute(type, v);
    }

    public void AddString(ushort type, string value)
    {
        // Kernel string attributes (IFA_LABEL, IFLA_IFNAME) are NUL-terminated.
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        AddAttribute(type, bytes);
    }

    public void AddAddress(ushort type, IPAddress address)
    {
        Span<byte> v = stackalloc byte[16];
        address.TryWriteBytes(v, out var written);
        AddAttribute(type, v[..written]);
    }

    /// <summary>Opens a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(rtattr.Size);
        new rtattr(0, type).Write(span);
        return start;
    }

    public void EndNested(int token) => HostOrder.WriteU16(_buffer.AsSpan(token), (ushort)(_length - token));

    public static byte FamilyOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? Nl.AF_INET6 : Nl.AF_INET;
}
