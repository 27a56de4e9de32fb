using Ipmp.Core.Logging;

namespace Ipmp.Core.Tests.Units;

/// <summary>The texts log watchers match on: byte for byte as illumos in.mpathd logs them (reference 6).</summary>
public class MessageCatalogTests
{
    public static TheoryData<string, LogLevel, string> Texts() => new()
    {
        { MessageCatalog.InterfaceFailure("net0", "ipmp0").Text, LogLevel.Error, "IP interface failure detected on net0 of group ipmp0" },
        { MessageCatalog.InterfaceFailure("net5", "").Text, LogLevel.Error, "IP interface failure detected on net5" },
        { MessageCatalog.InterfaceRepair("net0", "ipmp0").Text, LogLevel.Error, "IP interface repair detected on net0 of group ipmp0" },
        { MessageCatalog.InterfaceRepair("net5", "").Text, LogLevel.Error, "IP interface repair detected on net5" },
        { MessageCatalog.GroupFailed("ipmp0").Text, LogLevel.Error, "All IP interfaces in group ipmp0 are now unusable" },
        { MessageCatalog.GroupUsable("net1", "ipmp0").Text, LogLevel.Error, "At least 1 IP interface (net1) in group ipmp0 is now usable" },
        { MessageCatalog.LinkDown("net0").Text, LogLevel.Error, "The link has gone down on net0" },
        { MessageCatalog.LinkUp("net0").Text, LogLevel.Error, "The link has come up on net0" },
        { MessageCatalog.LinkFlapping("net0").Text, LogLevel.Error, "The link has come up on net0 more than 2 times in the last minute; disabling repair until it stabilizes" },
        { MessageCatalog.FdtRaised(10000, "inet", "net0", "ipmp0", 21000).Text, LogLevel.Info, "Cannot meet requested failure detection time of 10000 ms on (inet net0) new failure detection time for group \"ipmp0\" is 21000 ms" },
        { MessageCatalog.FdtRaised(700, "inet6", "net1", "grp1", 1400).Text, LogLevel.Info, "Cannot meet requested failure detection time of 700 ms on (inet6 net1) new failure detection time for group \"grp1\" is 1400 ms" },
        { MessageCatalog.FdtImproved(10000, "inet", "net0", "ipmp0").Text, LogLevel.Info, "Improved failure detection time 10000 ms on (inet net0) for group \"ipmp0\"" },
        { MessageCatalog.NoTestAddress("net0").Text, LogLevel.Info, "No test address configured on interface net0; disabling probe-based failure detection on it" },
        { MessageCatalog.TestAddressNotUnique("192.168.10.10", "net1").Text, LogLevel.Error, "Test address 192.168.10.10 is not unique in group; disabling probe-based failure detection on net1" },
        { MessageCatalog.TestAddressConfigured("net0").Text, LogLevel.Info, "Test address now configured on interface net0; enabling probe-based failure detection on it" },
        { MessageCatalog.HwAddrDuplicate("net1", "ipmp0").Text, LogLevel.Error, "IP interface net1 has a hardware address which is not unique in group ipmp0; offlining" },
        { MessageCatalog.HwAddrUnique("net1", "ipmp0").Text, LogLevel.Error, "IP interface net1 now has a unique hardware address in group ipmp0; onlining" },
        { MessageCatalog.InterfacesMissing(false, [("hme0", "hme1")]).Text, LogLevel.Error, "moving addresses from missing IPv4 interfaces: hme0 (moved to hme1)" },
        { MessageCatalog.InterfacesMissing(true, [("hme0", "hme1")]).Text, LogLevel.Error, "moving addresses from missing IPv6 interfaces: hme0 (moved to hme1)" },
        { MessageCatalog.InterfacesMissing(false, [("hme0", null)]).Text, LogLevel.Error, "moving addresses from missing IPv4 interfaces: hme0 (couldn't move; no alternative interface)" },
        { MessageCatalog.InterfacesMissing(true, [("hme0", null), ("qfe0", "hme1")]).Text, LogLevel.Error, "moving addresses from missing IPv6 interfaces: hme0 (couldn't move; no alternative interface) qfe0 (moved to hme1)" },
        { MessageCatalog.InterfaceRemoved("inet", "net1").Text, LogLevel.Info, "inet net1 has been removed from kernel" },
        { MessageCatalog.InterfaceRemoved("inet6", "net1").Text, LogLevel.Info, "inet6 net1 has been removed from kernel" },
        { MessageCatalog.OutOfWindowProbe(7, 65000, "net0", "192.168.10.1").Text, LogLevel.Info, "out of window probe seq 7 snxt 65000 on net0 from 192.168.10.1" },
        { MessageCatalog.FakeProbeReply(2, 12, 13, "net0", "192.168.10.9").Text, LogLevel.Info, "probe status 2 Fake probe reply seq 12 snxt 13 on net0 from 192.168.10.9" },
        { MessageCatalog.DuplicateProbeReply(2, 12, 13, "net0", "192.168.10.1").Text, LogLevel.Info, "probe status 2 Duplicate probe reply seq 12 snxt 13 on net0 from 192.168.10.1" },
        { MessageCatalog.MalformedProbeReply("probe reply code 3", "192.168.10.1", "net0").Text, LogLevel.Info, "probe reply code 3 from 192.168.10.1 on net0" },
        { MessageCatalog.MalformedProbeReply("probe reply too short: 12 bytes", "192.168.10.1", "net0").Text, LogLevel.Info, "probe reply too short: 12 bytes from 192.168.10.1 on net0" },
        { MessageCatalog.MalformedProbeReply("probe reply type: 3", "192.168.10.1", "net0").Text, LogLevel.Info, "probe reply type: 3 from 192.168.10.1 on net0" },
    };

    [Theory, MemberData(nameof(Texts))]
    public void Messages_are_the_illumos_texts(string actual, LogLevel level, string expected)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(level, Lookup(actual).Level);
    }

    private static LogMessage Lookup(string text) =>
        Messages().First(m => m.Text == text);

    private static IEnumerable<LogMessage> Messages() =>
    [
        MessageCatalog.InterfaceFailure("net0", "ipmp0"), MessageCatalog.InterfaceFailure("net5", ""),
        MessageCatalog.InterfaceRepair("net0", "ipmp0"), MessageCatalog.InterfaceRepair("net5", ""),
        MessageCatalog.GroupFailed("ipmp0"), MessageCatalog.GroupUsable("net1", "ipmp0"),
        MessageCatalog.LinkDown("net0"), MessageCatalog.LinkUp("net0"), MessageCatalog.LinkFlapping("net0"),
        MessageCatalog.FdtRaised(10000, "inet", "net0", "ipmp0", 21000), MessageCatalog.FdtRaised(700, "inet6", "net1", "grp1", 1400),
        MessageCatalog.FdtImproved(10000, "inet", "net0", "ipmp0"), MessageCatalog.NoTestAddress("net0"),
        MessageCatalog.TestAddressNotUnique("192.168.10.10", "net1"), MessageCatalog.TestAddressConfigured("net0"),
        MessageCatalog.HwAddrDuplicate("net1", "ipmp0"), MessageCatalog.HwAddrUnique("net1", "ipmp0"),
        MessageCatalog.InterfacesMissing(false, [("hme0", "hme1")]), MessageCatalog.InterfacesMissing(true, [("hme0", "hme1")]),
        MessageCatalog.InterfacesMissing(false, [("hme0", null)]), MessageCatalog.InterfacesMissing(true, [("hme0", null), ("qfe0", "hme1")]),
        MessageCatalog.InterfaceRemoved("inet", "net1"), MessageCatalog.InterfaceRemoved("inet6", "net1"),
        MessageCatalog.OutOfWindowProbe(7, 65000, "net0", "192.168.10.1"),
        MessageCatalog.FakeProbeReply(2, 12, 13, "net0", "192.168.10.9"),
        MessageCatalog.DuplicateProbeReply(2, 12, 13, "net0", "192.168.10.1"),
        MessageCatalog.MalformedProbeReply("probe reply code 3", "192.168.10.1", "net0"),
        MessageCatalog.MalformedProbeReply("probe reply too short: 12 bytes", "192.168.10.1", "net0"),
        MessageCatalog.MalformedProbeReply("probe reply type: 3", "192.168.10.1", "net0"),
    ];
}
