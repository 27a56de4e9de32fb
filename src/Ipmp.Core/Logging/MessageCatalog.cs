using System.Globalization;

namespace Ipmp.Core.Logging;

public enum MessageId
{
    InterfaceFailure,
    InterfaceRepair,
    GroupFailed,
    GroupUsable,
    LinkDown,
    LinkUp,
    LinkFlapping,
    FdtRaised,
    FdtImproved,
    NoTestAddress,
    TestAddressNotUnique,
    TestAddressConfigured,
    HwAddrDuplicate,
    HwAddrUnique,
    InterfaceRemoved,
    InterfaceMissing,
    InterfaceRefused,
    OutOfWindowProbe,
    FakeProbeReply,
    DuplicateProbeReply,
    MalformedProbeReply,
    AddressMoved,
    AddressRestored,
    TargetDead,
    TargetsFlushed,
    ConfigApplied,
    StateRestored,
}

/// <summary>
/// The daemon's log texts. Where illumos in.mpathd has a message for the event, the text is the illumos one
/// (reference section 6), so that log watchers written for Solaris keep matching.
/// </summary>
public static class MessageCatalog
{
    private static LogMessage E(MessageId id, string text) => new(id, LogLevel.Error, text);
    private static LogMessage I(MessageId id, string text) => new(id, LogLevel.Info, text);
    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    public static LogMessage InterfaceFailure(string ifName, string group) => group.Length == 0
        ? E(MessageId.InterfaceFailure, $"IP interface failure detected on {ifName}")
        : E(MessageId.InterfaceFailure, $"IP interface failure detected on {ifName} of group {group}");

    public static LogMessage InterfaceRepair(string ifName, string group) => group.Length == 0
        ? E(MessageId.InterfaceRepair, $"IP interface repair detected on {ifName}")
        : E(MessageId.InterfaceRepair, $"IP interface repair detected on {ifName} of group {group}");

    public static LogMessage GroupFailed(string group) =>
        E(MessageId.GroupFailed, $"All IP interfaces in group {group} are now unusable");

    public static LogMessage GroupUsable(string ifName, string group) =>
        E(MessageId.GroupUsable, $"At least 1 IP interface ({ifName}) in group {group} is now usable");

    public static LogMessage LinkDown(string ifName) => E(MessageId.LinkDown, $"The link has gone down on {ifName}");

    public static LogMessage LinkUp(string ifName) => E(MessageId.LinkUp, $"The link has come up on {ifName}");

    public static LogMessage LinkFlapping(string ifName) => E(MessageId.LinkFlapping,
        $"The link has come up on {ifName} more than 2 times in the last minute; disabling repair until it stabilizes");

    public static LogMessage FdtRaised(int requestedMs, string family, string ifName, string group, int newMs) =>
        I(MessageId.FdtRaised, Fmt($"Cannot meet requested failure detection time of {requestedMs} ms on ({family} {ifName}) new failure detection time for group \"{group}\" is {newMs} ms"));

    public static LogMessage FdtImproved(int ms, string family, string ifName, string group) =>
        I(MessageId.FdtImproved, Fmt($"Improved failure detection time {ms} ms on ({family} {ifName}) for group \"{group}\""));

    public static LogMessage NoTestAddress(string ifName) => I(MessageId.NoTestAddress,
        $"No test address configured on interface {ifName}; disabling probe-based failure detection on it");

    public static LogMessage TestAddressNotUnique(string address, string ifName) => E(MessageId.TestAddressNotUnique,
        $"Test address {address} is not unique in group; disabling probe-based failure detection on {ifName}");

    public static LogMessage TestAddressConfigured(string ifName) => I(MessageId.TestAddressConfigured,
        $"Test address now configured on interface {ifName}; enabling probe-based failure detection on it");

    public static LogMessage HwAddrDuplicate(string ifName, string group) => E(MessageId.HwAddrDuplicate,
        $"IP interface {ifName} has a hardware address which is not unique in group {group}; offlining");

    public static LogMessage HwAddrUnique(string ifName, string group) => E(MessageId.HwAddrUnique,
        $"IP interface {ifName} now has a unique hardware address in group {group}; onlining");

    public static LogMessage InterfaceRemoved(string family, string ifName) =>
        I(MessageId.InterfaceRemoved, $"{family} {ifName} has been removed from kernel");

    /// <summary>
    /// The Solaris boot-time text for data addresses configured on interfaces that are not there, one message
    /// per address family: "moving addresses from missing IPv4 interfaces: hme0 (moved to hme1)", or with
    /// "(couldn't move; no alternative interface)" when no member can take them.
    /// </summary>
    /// <param name="moves">Each missing interface with where its addresses went (null: nowhere).</param>
    public static LogMessage InterfacesMissing(bool v6, IEnumerable<(string Interface, string? MovedTo)> moves) =>
        E(MessageId.InterfaceMissing, $"moving addresses from missing {(v6 ? "IPv6" : "IPv4")} interfaces: " +
            string.Join(" ", moves.Select(m => m.MovedTo is { } to
                ? $"{m.Interface} (moved to {to})"
                : $"{m.Interface} (couldn't move; no alternative interface)")));

    /// <summary>A link that cannot be a member of a named group (see MembershipRules); not illumos text:
    /// there the kernel refuses the ifconfig group command.</summary>
    public static LogMessage InterfaceRefused(string ifName, string group, string reason) =>
        E(MessageId.InterfaceRefused, $"IP interface {ifName} cannot be in group {group}: {reason}; it is not used");

    public static LogMessage OutOfWindowProbe(int seq, int snxt, string ifName, string from) =>
        I(MessageId.OutOfWindowProbe, Fmt($"out of window probe seq {seq} snxt {snxt} on {ifName} from {from}"));

    public static LogMessage FakeProbeReply(int status, int seq, int snxt, string ifName, string from) =>
        I(MessageId.FakeProbeReply, Fmt($"probe status {status} Fake probe reply seq {seq} snxt {snxt} on {ifName} from {from}"));

    public static LogMessage DuplicateProbeReply(int status, int seq, int snxt, string ifName, string from) =>
        I(MessageId.DuplicateProbeReply, Fmt($"probe status {status} Duplicate probe reply seq {seq} snxt {snxt} on {ifName} from {from}"));

    public static LogMessage MalformedProbeReply(string reason, string from, string ifName) =>
        I(MessageId.MalformedProbeReply, $"{reason} from {from} on {ifName}");

    // Not in illumos (its kernel moved addresses silently); the legacy Solaris 10 daemon logged these.
    public static LogMessage AddressMoved(string address, string from, string to) =>
        I(MessageId.AddressMoved, $"Successfully failed over {address} from NIC {from} to NIC {to}");

    public static LogMessage AddressRestored(string address, string to) =>
        I(MessageId.AddressRestored, $"Successfully failed back {address} to NIC {to}");

    public static LogMessage TargetDead(string target, string ifName) =>
        I(MessageId.TargetDead, $"Probe target {target} on {ifName} stopped answering; probing other targets");

    public static LogMessage TargetsFlushed(string group) =>
        I(MessageId.TargetsFlushed, $"All probe targets of group {group} failed; flushing them and looking for new ones");
}
