using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Ipmp.Core.Engine;
using Ipmp.Core.Status;

namespace Ipmp.Host.Control;

/// <summary>
/// Core records ⇄ wire DTOs. Lossless both ways (see the round-trip tests); reading throws
/// <see cref="ControlProtocolException"/> for anything missing, out of range or unparsable.
/// </summary>
internal static class ControlMapper
{
    // ---- durations: milliseconds as a double, 100 ns resolution (exact for any uptime below ~28 years) ----

    public static double Ms(TimeSpan t) => t.Ticks / (double)TimeSpan.TicksPerMillisecond;

    public static double? Ms(TimeSpan? t) => t is { } v ? Ms(v) : null;

    public static TimeSpan Duration(double? ms, string what)
    {
        if (ms is not { } v)
            throw Missing(what);
        double ticks = Math.Round(v * TimeSpan.TicksPerMillisecond);
        if (!double.IsFinite(ticks) || ticks > long.MaxValue / 2 || ticks < long.MinValue / 2)
            throw new ControlProtocolException($"{what} out of range");
        return TimeSpan.FromTicks((long)ticks);
    }

    public static TimeSpan? OptionalDuration(double? ms, string what) => ms is null ? null : Duration(ms, what);

    // ---- snapshot ----

    public static SnapshotDto ToDto(IpmpSnapshot s) => new()
    {
        Groups = [.. s.Groups.Select(g => new GroupDto
        {
            Name = g.Name,
            IpmpInterface = g.IpmpInterfaceName,
            State = g.State,
            Fdt = Ms(g.FailureDetectionTime),
            Interfaces = [.. g.Interfaces],
            Signature = g.Signature,
        })],
        Interfaces = [.. s.Interfaces.Select(i => new InterfaceDto
        {
            Name = i.Name,
            Group = i.Group,
            State = i.State,
            Type = i.Type,
            Link = i.Link,
            Probe = i.Probe,
            Flags = (int)i.Flags,
            V4 = ToDto(i.V4),
            V6 = ToDto(i.V6),
        })],
        Addresses = [.. s.Addresses.Select(a => new AddressDto
        {
            Address = a.Address.ToString(),
            PrefixLength = a.PrefixLength,
            State = a.State,
            Group = a.Group,
            Inbound = a.Inbound,
        })],
    };

    private static TargetDto ToDto(TargetInfo t) => new()
    {
        TestAddress = t.TestAddress?.ToString(),
        Mode = t.Mode,
        Targets = [.. t.Targets.Select(a => a.ToString())],
        Peers = t.Peers.IsDefaultOrEmpty ? null : [.. t.Peers],
    };

    public static IpmpSnapshot FromDto(SnapshotDto? dto)
    {
        if (dto is null)
            throw Missing("snapshot");
        return new IpmpSnapshot(
            [.. Required(dto.Groups, "snapshot.groups").Select(FromDto)],
            [.. Required(dto.Interfaces, "snapshot.interfaces").Select(FromDto)],
            [.. Required(dto.Addresses, "snapshot.addresses").Select(FromDto)]);
    }

    private static GroupStatus FromDto(GroupDto? g)
    {
        g = Required(g, "group");
        return new GroupStatus(
            Required(g.Name, "group.name"),
            Required(g.IpmpInterface, "group.ipmpInterface"),
            Required(g.State, "group.state"),
            OptionalDuration(g.Fdt, "group.fdt"),
            Names(g.Interfaces, "group.interfaces"),
            Required(g.Signature, "group.signature"));
    }

    private static InterfaceStatus FromDto(InterfaceDto? i)
    {
        i = Required(i, "interface");
        return new InterfaceStatus(
            Required(i.Name, "interface.name"),
            Required(i.Group, "interface.group"),
            Required(i.State, "interface.state"),
            Required(i.Type, "interface.type"),
            Required(i.Link, "interface.link"),
            Required(i.Probe, "interface.probe"),
            (InterfaceFlags)Required(i.Flags, "interface.flags"),
            FromDto(i.V4, "interface.v4"),
            FromDto(i.V6, "interface.v6"));
    }

    private static TargetInfo FromDto(TargetDto? t, string what)
    {
        t = Required(t, what);
        return new TargetInfo(
            t.TestAddress is null ? null : Address(t.TestAddress, what + ".testAddress"),
            Required(t.Mode, what + ".mode"),
            [.. Required(t.Targets, what + ".targets").Select(a => Address(a, what + ".targets"))],
            t.Peers is null ? default : [.. t.Peers.Select(p => Required(p, what + ".peers"))]);
    }

    private static AddressStatus FromDto(AddressDto? a)
    {
        a = Required(a, "address");
        int prefix = Required(a.PrefixLength, "address.prefixLength");
        if (prefix is < 0 or > 128)
            throw new ControlProtocolException("address.prefixLength out of range");
        return new AddressStatus(
            Address(a.Address, "address.address"),
            prefix,
            Required(a.State, "address.state"),
            Required(a.Group, "address.group"),
            Required(a.Inbound, "address.inbound"));
    }

    // ---- events ----

    public static ProbeDto ToDto(ProbeEvent p) => new()
    {
        Id = p.Id,
        Interface = p.Interface,
        State = p.State,
        Start = Ms(p.Start),
        Sent = Ms(p.Sent),
        AckReceived = Ms(p.AckReceived),
        AckProcessed = Ms(p.AckProcessed),
        Target = p.Target.ToString(),
        TargetPeer = p.TargetPeer,
        RttAverage = Ms(p.RttAverage),
        RttDeviation = Ms(p.RttDeviation),
    };

    public static ProbeEvent FromDto(ProbeDto? p)
    {
        p = Required(p, "probe");
        int id = Required(p.Id, "probe.id");
        if (id is < 0 or > ushort.MaxValue)
            throw new ControlProtocolException("probe.id out of range");
        return new ProbeEvent(
            (ushort)id,
            Required(p.Interface, "probe.interface"),
            Required(p.State, "probe.state"),
            Duration(p.Start, "probe.start"),
            Duration(p.Sent, "probe.sent"),
            OptionalDuration(p.AckReceived, "probe.ackReceived"),
            OptionalDuration(p.AckProcessed, "probe.ackProcessed"),
            Address(p.Target, "probe.target"),
            OptionalDuration(p.RttAverage, "probe.rttAverage"),
            OptionalDuration(p.RttDeviation, "probe.rttDeviation"),
            p.TargetPeer);
    }

    public static ChangeDto ToDto(StateChange c) => new()
    {
        At = Ms(c.At),
        Kind = c.Kind,
        Group = c.Group,
        Interface = c.Interface,
        Detail = c.Detail,
    };

    public static StateChange FromDto(ChangeDto? c)
    {
        c = Required(c, "change");
        return new StateChange(
            Duration(c.At, "change.at"),
            Required(c.Kind, "change.kind"),
            Required(c.Group, "change.group"),
            c.Interface,
            Required(c.Detail, "change.detail"));
    }

    // ---- helpers ----

    private static ImmutableArray<string> Names(string[]? names, string what) =>
        [.. Required(names, what).Select(n => Required(n, what))];

    private static IPAddress Address(string? text, string what)
    {
        if (text is null)
            throw Missing(what);
        if (!IPAddress.TryParse(text, out IPAddress? address))
            throw new ControlProtocolException(string.Create(CultureInfo.InvariantCulture, $"{what}: not an IP address: {text}"));
        return address;
    }

    private static T Required<T>(T? value, string what) where T : class =>
        value ?? throw Missing(what);

    private static T Required<T>(T? value, string what) where T : struct =>
        value ?? throw Missing(what);

    private static ControlProtocolException Missing(string what) => new($"missing {what}");
}
