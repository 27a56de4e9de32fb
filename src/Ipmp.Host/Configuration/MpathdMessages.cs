using System.Globalization;

namespace Ipmp.Host.Configuration;

/// <summary>
/// The texts in.mpathd logs for bad /etc/default/mpathd values (reference section 1 and 6), kept word for
/// word so log watchers written for Solaris keep matching. The value is shown exactly as read, trailing
/// blanks included, because that is often the very reason it was rejected.
/// </summary>
internal static class MpathdMessages
{
    public static string InvalidFailureDetectionTime(string value, int defaultMs) => string.Format(
        CultureInfo.InvariantCulture, "Invalid failure detection time {0}, assuming default of {1} ms", value, defaultMs);

    public static string TooSmallFailureDetectionTime(string value, int minimumMs) => string.Format(
        CultureInfo.InvariantCulture, "Too small failure detection time of {0}, assuming minimum of {1} ms", value, minimumMs);

    public static string InvalidYesNo(string key, string value) => $"Invalid value for {key} {value}";
}
