namespace Ipmp.Linux.Netlink;

/// <summary>
/// Splits one received datagram into netlink messages (NLMSG_OK / NLMSG_NEXT). A header whose length is
/// short or runs past the datagram ends the walk and is counted; it never throws.
/// </summary>
internal ref struct NetlinkMessageReader(ReadOnlySpan<byte> datagram, NetlinkCounters counters)
{
    private ReadOnlySpan<byte> _rest = datagram;

    public bool TryRead(out nlmsghdr header, out ReadOnlySpan<byte> payload)
    {
        header = default;
        payload = default;
        if (_rest.IsEmpty) return false;
        if (_rest.Length < nlmsghdr.Size)
        {
            counters.Truncated();
            _rest = default;
            return false;
        }
        header = nlmsghdr.Read(_rest);
        if (header.nlmsg_len < nlmsghdr.Size || header.nlmsg_len > (uint)_rest.Length)
        {
            counters.Truncated();
            _rest = default;
            return false;
        }
        var len = (int)header.nlmsg_len;
        payload = _rest[nlmsghdr.Size..len];
        _rest = _rest[Math.Min(Nl.Align(len), _rest.Length)..];
        return true;
    }
}
