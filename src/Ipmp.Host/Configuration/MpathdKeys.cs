namespace Ipmp.Host.Configuration;

/// <summary>The keys in.mpathd reads from /etc/default/mpathd.</summary>
internal static class MpathdKeys
{
    public const string FailureDetectionTime = "FAILURE_DETECTION_TIME";
    public const string Failback = "FAILBACK";
    public const string TrackInterfacesOnlyWithGroups = "TRACK_INTERFACES_ONLY_WITH_GROUPS";

    public static readonly string[] All = [FailureDetectionTime, Failback, TrackInterfacesOnlyWithGroups];
}
