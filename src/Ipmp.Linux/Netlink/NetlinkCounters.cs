namespace Ipmp.Linux.Netlink;

/// <summary>
/// What the parsers dropped instead of throwing. Kernel input is trusted to be well-formed, so a nonzero
/// value means a bug (ours or the kernel's) worth logging, not a condition to handle.
/// </summary>
public sealed class NetlinkCounters
{
    private long _malformedMessages;
    private long _truncatedDatagrams;
    private long _unexpectedMessages;
    private long _discardedDatagrams;

    /// <summary>Messages dropped because a header, fixed struct or attribute was short or overran its container.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    /// <summary>Datagrams whose tail was not a whole message (bad nlmsg_len); the rest of the datagram is dropped.</summary>
    public long TruncatedDatagrams => Interlocked.Read(ref _truncatedDatagrams);

    /// <summary>Well-formed messages of a type or sequence number nobody asked for (e.g. a late reply).</summary>
    public long UnexpectedMessages => Interlocked.Read(ref _unexpectedMessages);

    /// <summary>Datagrams a monitor threw away unread after an overrun (superseded by the re-dump).</summary>
    public long DiscardedDatagrams => Interlocked.Read(ref _discardedDatagrams);

    internal void Discarded(int count) => Interlocked.Add(ref _discardedDatagrams, count);
    internal void Malformed() => Interlocked.Increment(ref _malformedMessages);
    internal void Truncated() => Interlocked.Increment(ref _truncatedDatagrams);
    internal void Unexpected() => Interlocked.Increment(ref _unexpectedMessages);

    public override string ToString() =>
        $"malformed={MalformedMessages} truncated={TruncatedDatagrams} unexpected={UnexpectedMessages} discarded={DiscardedDatagrams}";
}
