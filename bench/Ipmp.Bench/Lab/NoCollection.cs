using System.Runtime;

namespace Ipmp.Bench.Lab;

/// <summary>
/// A span of the bench during which its own garbage collector does not run (GC.TryStartNoGCRegion): the
/// measuring threads (echo client and server, stampers) live in the bench's process, and a collection
/// would stop them all at once and be counted against the daemon. Where the runtime refuses the region
/// the span is an ordinary one, and says so once.
/// </summary>
public sealed class NoCollection : IDisposable
{
    /// <summary>Far more than a trial allocates (a few hundred stamps, parsed netlink messages, an ip process).</summary>
    private const long Budget = 32L << 20;
    private static bool _warned;
    private readonly bool _active;

    private NoCollection(bool active) => _active = active;

    public static NoCollection Start()
    {
        try
        {
            return new NoCollection(GC.TryStartNoGCRegion(Budget));
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or InvalidOperationException)
        {
            if (!_warned) Console.Error.WriteLine($"bench: no GC-free trials ({e.Message})");
            _warned = true;
            return new NoCollection(false);
        }
    }

    public void Dispose()
    {
        // The budget may have run out, which ends the region by itself.
        if (_active && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}
