namespace Ipmp.Host.Configuration;

/// <summary>The keys in.mpathd reads from /etc/default/mpathd.</summary>
internal static class MpathdKeys
{
    public const string FailureDetectionTime = "FAILURE_DETECTION_TIME";
    public const string Failback = "FAILBACK";
    public const string TrackInterfacesOnlyWithGroups = "TRACK_INTERFACES_ONLY_WITH_GROUPS";
    /// <summary>Ours, after Solaris 11's SMF property config/transitive-probing; illumos defread() skips it.</summary>
    public const string TransitiveProbing = "TRANSITIVE_PROBING";

    public static readonly string[] All = [FailureDetectionTime, Failback, TrackInterfacesOnlyWithGroups, TransitiveProbing];
}
