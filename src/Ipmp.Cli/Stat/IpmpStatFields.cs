using System.Collections.Immutable;
using System.Text;
using Ipmp.Core.Status;

namespace Ipmp.Cli.Stat;

/// <summary>
/// ipmpstat's field tables (names and libofmt widths per mode) and how each value is computed.
/// A value function returns "" for an empty value (printed <c>--</c>) and null when the value could not be
/// determined (printed <c>?</c>; the function has already warned through the context).
/// </summary>
internal static class IpmpStatFields
{
    /// <summary>libofmt picks the default columns so that they fit in this many (IPMPSTAT_NCOL).</summary>
    public const int DefaultColumns = 80;

    private static readonly ImmutableArray<OfmtField> AddressFields =
        [new("ADDRESS", 26), new("STATE", 7), new("GROUP", 12), new("INBOUND", 12), new("OUTBOUND", 23)];

    private static readonly ImmutableArray<OfmtField> GroupFields =
        [new("GROUP", 12), new("GROUPNAME", 12), new("STATE", 10), new("FDT", 10), new("INTERFACES", 30)];

    private static readonly ImmutableArray<OfmtField> InterfaceFields =
        [new("INTERFACE", 12), new("ACTIVE", 8), new("GROUP", 12), new("FLAGS", 10), new("LINK", 10),
         new("PROBE", 10), new("STATE", 10)];

    private static readonly ImmutableArray<OfmtField> ProbeFields =
        [new("TIME", 10), new("INTERFACE", 12), new("PROBE", 7), new("NETRTT", 10), new("RTT", 10),
         new("RTTAVG", 10), new("TARGET", 20), new("RTTDEV", 10)];

    private static readonly ImmutableArray<OfmtField> TargetFields =
        [new("INTERFACE", 12), new("MODE", 10), new("TESTADDR", 20), new("TARGETS", 38)];

    /// <summary>Every field of a mode, in table order (<c>-o all</c>).</summary>
    public static ImmutableArray<OfmtField> All(StatMode mode) => mode switch
    {
        StatMode.Address => AddressFields,
        StatMode.Group => GroupFields,
        StatMode.Interface => InterfaceFields,
        StatMode.Probe => ProbeFields,
        StatMode.Target => TargetFields,
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>
    /// The default columns: libofmt's split_max() takes fields in order while their widths add up to at most
    /// 80. That is every field except for -p, which loses RTTDEV (79 columns).
    /// </summary>
    public static ImmutableArray<OfmtField> Default(StatMode mode)
    {
        var fields = ImmutableArray.CreateBuilder<OfmtField>();
        int columns = 0;
        foreach (OfmtField f in All(mode))
        {
            columns += f.Width;
            if (columns > DefaultColumns)
                break;
            fields.Add(f);
        }
        return fields.ToImmutable();
    }

    /// <summary>The field of <paramref name="mode"/> called <paramref name="name"/>, case-insensitively.</summary>
    public static OfmtField? Find(StatMode mode, string name) =>
        All(mode).FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    // ---- -a ---------------------------------------------------------------------------------------------

    public static string? AddressValue(OfmtField field, AddressStatus a, StatContext ctx) => field.Name switch
    {
        "ADDRESS" => ctx.FormatAddress(a.Address),
        "STATE" => a.State == AddressState.Up ? "up" : "down",
        "GROUP" => a.Group,
        "INBOUND" => a.Inbound,
        "OUTBOUND" => Outbound(a, ctx),
        _ => throw UnknownField(field, StatMode.Address),
    };

    /// <summary>Every ACTIVE member of the address's group, in display order; empty if down or unbound.</summary>
    private static string? Outbound(AddressStatus a, StatContext ctx)
    {
        if (a.State == AddressState.Down || a.Inbound.Length == 0)
            return "";
        if (ctx.FindGroup(a.Group) is not { } group)
        {
            ctx.Warn(StatMessages.CannotGetGroupInfo(a.Group));
            return null;
        }
        return string.Join(' ', Members(group, ctx).Where(i => i.IsActive).Select(i => i.Name));
    }

    // ---- -g ---------------------------------------------------------------------------------------------

    public static string? GroupValue(OfmtField field, GroupStatus g, StatContext ctx) => field.Name switch
    {
        "GROUP" => g.IpmpInterfaceName,
        "GROUPNAME" => g.Name,
        "STATE" => GroupStateText(g.State),
        "FDT" => Fdt(g.FailureDetectionTime),
        "INTERFACES" => Interfaces(g, ctx),
        _ => throw UnknownField(field, StatMode.Group),
    };

    private static string GroupStateText(GroupState s) => s switch
    {
        GroupState.Ok => "ok",
        GroupState.Failed => "failed",
        GroupState.Degraded => "degraded",
        _ => EnumNumber((int)s),
    };

    /// <summary><c>%.2fs</c> of the FDT in whole milliseconds (gr_fdt); empty when unknown or 0.</summary>
    private static string Fdt(TimeSpan? fdt)
    {
        long ms = fdt is { } t ? t.Ticks / TimeSpan.TicksPerMillisecond : 0;
        return ms == 0 ? "" : CFormat.SecondsFromMilliseconds(ms);
    }

    /// <summary>ACTIVE members, then <c>(INACTIVE ones)</c>, then <c>[all others]</c>, each in display order.</summary>
    private static string Interfaces(GroupStatus g, StatContext ctx)
    {
        var active = new List<string>();
        var inactive = new List<string>();
        var unusable = new List<string>();
        foreach (InterfaceStatus i in Members(g, ctx))
        {
            if (i.IsActive)
                active.Add(i.Name);
            else if ((i.Flags & InterfaceFlags.Inactive) != 0)
                inactive.Add(i.Name);
            else
                unusable.Add(i.Name);
        }

        var sb = new StringBuilder(string.Join(' ', active));
        if (inactive.Count > 0)
        {
            if (active.Count > 0)
                sb.Append(' ');
            sb.Append('(').AppendJoin(' ', inactive).Append(')');
        }
        if (unusable.Count > 0)
        {
            if (active.Count + inactive.Count > 0)
                sb.Append(' ');
            sb.Append('[').AppendJoin(' ', unusable).Append(']');
        }
        return sb.ToString();
    }

    /// <summary>The group's members that can be looked up; each missing one is warned about and skipped.</summary>
    private static IEnumerable<InterfaceStatus> Members(GroupStatus g, StatContext ctx)
    {
        foreach (string name in g.Interfaces)
        {
            if (ctx.FindInterface(name) is { } i)
                yield return i;
            else
                ctx.Warn(StatMessages.CannotGetInterfaceInfo(name));
        }
    }

    // ---- -i ---------------------------------------------------------------------------------------------

    public static string? InterfaceValue(OfmtField field, InterfaceStatus i, StatContext ctx) => field.Name switch
    {
        "INTERFACE" => i.Name,
        "ACTIVE" => i.IsActive ? "yes" : "no",
        "GROUP" => i.Group,
        "FLAGS" => Flags(i),
        "LINK" => i.Link switch
        {
            LinkState.Up => "up",
            LinkState.Down => "down",
            LinkState.Unknown => "unknown",
            _ => EnumNumber((int)i.Link),
        },
        "PROBE" => i.Probe switch
        {
            ProbeState.Ok => "ok",
            ProbeState.Failed => "failed",
            ProbeState.Unknown => "unknown",
            ProbeState.Disabled => "disabled",
            _ => EnumNumber((int)i.Probe),
        },
        "STATE" => i.State switch
        {
            InterfaceState.Ok => "ok",
            InterfaceState.Failed => "failed",
            InterfaceState.Unknown => "unknown",
            InterfaceState.Offline => "offline",
            _ => EnumNumber((int)i.State),
        },
        _ => throw UnknownField(field, StatMode.Interface),
    };

    /// <summary>Seven letters <c>i s m b M d h</c>, <c>-</c> where unset. m, b and M come from the snapshot.</summary>
    internal static string Flags(InterfaceStatus i)
    {
        Span<char> f = ['-', '-', '-', '-', '-', '-', '-'];
        if ((i.Flags & InterfaceFlags.Inactive) != 0) f[0] = 'i';
        if (i.Type == InterfaceType.Standby) f[1] = 's';
        if ((i.Flags & InterfaceFlags.V4Multicast) != 0) f[2] = 'm';
        if ((i.Flags & InterfaceFlags.V4Broadcast) != 0) f[3] = 'b';
        if ((i.Flags & InterfaceFlags.V6Multicast) != 0) f[4] = 'M';
        if ((i.Flags & InterfaceFlags.Down) != 0) f[5] = 'd';
        if ((i.Flags & InterfaceFlags.HwAddrDup) != 0) f[6] = 'h';
        return new string(f);
    }

    // ---- -t ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The target rows of an interface: v4 if v4 probing is on or v6 is off (so a NIC without probing still
    /// shows one <c>disabled</c> row), then v6 if v6 probing is on. Decided by the target mode, as illumos.
    /// </summary>
    public static IEnumerable<TargetInfo> TargetRows(InterfaceStatus i)
    {
        if (i.V4.Mode != TargetMode.Disabled || i.V6.Mode == TargetMode.Disabled)
            yield return i.V4;
        if (i.V6.Mode != TargetMode.Disabled)
            yield return i.V6;
    }

    public static string? TargetValue(OfmtField field, InterfaceStatus i, TargetInfo t, StatContext ctx) => field.Name switch
    {
        "INTERFACE" => i.Name,
        "MODE" => t.Mode switch
        {
            TargetMode.Disabled => "disabled",
            TargetMode.Routes => "routes",
            TargetMode.Multicast => "multicast",
            TargetMode.Transitive => "transitive",
            _ => EnumNumber((int)t.Mode),
        },
        // Transitive (Solaris 11): no test address, so the interface itself in angle brackets, and the
        // members it probes likewise.
        "TESTADDR" => t.Mode == TargetMode.Transitive ? $"<{i.Name}>"
            : t.Mode == TargetMode.Disabled || t.TestAddress is null ? "" : ctx.FormatAddress(t.TestAddress),
        "TARGETS" => t.Mode == TargetMode.Transitive ? string.Join(' ', t.Peers.IsDefault ? [] : t.Peers.Select(p => $"<{p}>"))
            : string.Join(' ', t.Targets.Select(ctx.FormatAddress)),
        _ => throw UnknownField(field, StatMode.Target),
    };

    // ---- -p ---------------------------------------------------------------------------------------------

    /// <summary>Only ACKED and LOST probe events make a row.</summary>
    public static bool IsShown(ProbeEvent e) => e.State is ProbeEventState.Acked or ProbeEventState.Lost;

    public static string? ProbeValue(OfmtField field, ProbeEvent e, StatContext ctx) => field.Name switch
    {
        "TIME" => CFormat.Seconds(e.Start - ctx.ProbeStart),
        "INTERFACE" => e.Interface,
        // Solaris 11 marks transitive probes with a "t" before the number.
        "PROBE" => (e.TargetPeer is null ? "" : "t") + e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "NETRTT" => e.State != ProbeEventState.Acked ? ""
            : e.AckReceived is not { } received ? Missing(ctx, "IPMP_PROBE_ACKRECV_TIME")
            : CFormat.Milliseconds(received - e.Sent),
        "RTT" => e.State != ProbeEventState.Acked ? ""
            : e.AckProcessed is not { } processed ? Missing(ctx, "IPMP_PROBE_ACKPROC_TIME")
            : CFormat.Milliseconds(processed - e.Start),
        "RTTAVG" => NonZeroMilliseconds(e.RttAverage),
        "TARGET" => e.TargetPeer is { } peer ? $"<{peer}>" : ctx.FormatAddress(e.Target),
        "RTTDEV" => NonZeroMilliseconds(e.RttDeviation),
        _ => throw UnknownField(field, StatMode.Probe),
    };

    private static string NonZeroMilliseconds(TimeSpan? value) =>
        value is { } v && v != TimeSpan.Zero ? CFormat.Milliseconds(v) : "";

    private static string? Missing(StatContext ctx, string attribute)
    {
        ctx.Warn(StatMessages.CannotRetrieve(attribute));
        return null;
    }

    /// <summary>enum2str() for a value outside the table: <c>&lt;n&gt;</c>.</summary>
    private static string EnumNumber(int value) =>
        "<" + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">";

    private static ArgumentException UnknownField(OfmtField field, StatMode mode) =>
        new($"field {field.Name} does not belong to mode {mode}", nameof(field));
}
