namespace Ipmp.Core.Configuration;

/// <summary>The keys of Solaris <c>/etc/default/mpathd</c>, already validated.</summary>
/// <param name="TransitiveProbing">TRANSITIVE_PROBING=yes: members without a test address probe from their data
/// address, or at the link layer through a member that does (Solaris 11 config/transitive-probing).</param>
public sealed record DaemonSettings(
    TimeSpan FailureDetectionTime,
    bool Failback,
    bool TrackInterfacesOnlyWithGroups,
    bool TransitiveProbing = false)
{
    public static readonly TimeSpan DefaultFailureDetectionTime = TimeSpan.FromMilliseconds(10000);
    public static readonly TimeSpan MinimumFailureDetectionTime = TimeSpan.FromMilliseconds(100);

    public static DaemonSettings Default { get; } = new(DefaultFailureDetectionTime, true, true);
}
