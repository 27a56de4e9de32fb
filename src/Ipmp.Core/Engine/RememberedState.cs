using System.Collections.Immutable;

namespace Ipmp.Core.Engine;

/// <summary>Why a member failed: its probes went unanswered, or its link (carrier) went down.</summary>
public enum FailureCause
{
    Probe,
    Link,
}

/// <summary>
/// What one member's daemon-owned flags were: the state illumos keeps in kernel interface flags (FAILED,
/// OFFLINE, INACTIVE) and Linux has no place for. Every present member of a named group has an entry.
/// </summary>
/// <param name="Name">Interface name.</param>
/// <param name="Group">The named group it was a member of; the memory applies only in the same group.</param>
/// <param name="IfIndex">The kernel's interface index then: an interface re-plumbed since has another one,
/// and its memory does not apply.</param>
/// <param name="Failed">Failed, and why; null when it was not failed.</param>
/// <param name="Offline">Offlined by the operator (<c>ipmp offline</c>).</param>
/// <param name="Inactive">Working but not used for data (a standby, or a FAILBACK=no member kept out of use).</param>
public sealed record RememberedInterface(string Name, string Group, int IfIndex, FailureCause? Failed, bool Offline, bool Inactive)
{
    public override string ToString()
    {
        var flags = new List<string>(3);
        if (Failed is { } cause) flags.Add($"failed ({(cause == FailureCause.Probe ? "probe" : "link")} failure)");
        if (Offline) flags.Add("offline");
        if (Inactive) flags.Add("inactive");
        return $"{Name} {(flags.Count == 0 ? "ok" : string.Join(", ", flags))}";
    }
}

/// <summary>
/// The engine's memory across a restart of the daemon: produced by <see cref="IpmpEngine.Remember"/>, kept
/// by the host (a state file), and handed back to a new engine by <see cref="IpmpEngine.Restore"/> before
/// it sees the kernel. Entries are ordered by name; equality is by content.
/// </summary>
public sealed record RememberedState(ImmutableArray<RememberedInterface> Interfaces)
{
    public static RememberedState Empty { get; } = new([]);

    public bool Equals(RememberedState? other) =>
        other is not null && Interfaces.AsSpan().SequenceEqual(other.Interfaces.AsSpan());

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var i in Interfaces) hash.Add(i);
        return hash.ToHashCode();
    }

    public override string ToString() => Interfaces.IsEmpty ? "(nothing)" : string.Join(", ", Interfaces);
}
