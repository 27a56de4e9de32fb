namespace Ipmp.Core.Configuration;

/// <summary>The keys of Solaris <c>/etc/default/mpathd</c>, already validated.</summary>
public sealed record DaemonSettings(
    TimeSpan FailureDetectionTime,
    bool Failback,
    bool TrackInterfacesOnlyWithGroups)
{
    public static readonly TimeSpan DefaultFailureDetectionTime = TimeSpan.FromMilliseconds(10000);
    public static readonly TimeSpan MinimumFailureDetectionTime = TimeSpan.FromMilliseconds(100);

    public static DaemonSettings Default { get; } = new(DefaultFailureDetectionTime, true, true);
}
