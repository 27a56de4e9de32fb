using System.Net;
using System.Text;
using Ipmp.Core.Status;

namespace Ipmp.Cli.Stat;

/// <summary>
/// Renders ipmpstat output: the snapshot modes (-a -g -i -t) at once, the probe mode (-p) row by row.
/// Warnings (lookups that failed, values that could not be determined) go to <c>warnings</c> as complete
/// <c>ipmpstat: warning: ...</c> lines, in the order they arise.
/// </summary>
internal sealed class IpmpStatRenderer
{
    private readonly IHostNameResolver _resolver;
    private readonly TextWriter _warnings;
    private readonly int _rows;

    /// <param name="resolver">
    /// Names for addresses without -n; defaults to getnameinfo(NI_NOFQDN), in parallel and within about a second
    /// of the process's start (<see cref="TimedHostNameResolver"/>): what has no name by then is shown as a number.
    /// </param>
    /// <param name="warnings">Where warning lines go (stderr); defaults to nowhere.</param>
    /// <param name="rows">Terminal height for header repetition; 24 when stdout is not a tty.</param>
    public IpmpStatRenderer(IHostNameResolver? resolver = null, TextWriter? warnings = null, int rows = OfmtWriter.DefaultRows)
    {
        _resolver = resolver ?? new TimedHostNameResolver(LibcHostNameResolver.Instance, TimedHostNameResolver.DefaultBudget, TimedHostNameResolver.ProcessAge);
        _warnings = warnings ?? TextWriter.Null;
        _rows = rows;
    }

    /// <summary>The whole output of <c>-a</c>, <c>-g</c>, <c>-i</c> or <c>-t</c> for one snapshot.</summary>
    public string Render(IpmpSnapshot snapshot, StatOptions options)
    {
        if (options.Numeric || _resolver is not TimedHostNameResolver timed)
            return Render(snapshot, options, _resolver, _warnings);
        // A dry run collects the addresses to name, so that their lookups run at once and share one budget.
        var wanted = new RecordingResolver();
        Render(snapshot, options, wanted, TextWriter.Null);
        timed.Prefetch(wanted.Addresses);
        try
        {
            return Render(snapshot, options, timed, _warnings);
        }
        finally
        {
            timed.EndBatch();
        }
    }

    private string Render(IpmpSnapshot snapshot, StatOptions options, IHostNameResolver resolver, TextWriter warnings)
    {
        var ctx = NewContext(snapshot, options, default, resolver, warnings);
        var writer = new OfmtWriter(options.Fields, options.Format, _rows);
        var sb = new StringBuilder();
        var fields = options.Fields;

        switch (options.Mode)
        {
            case StatMode.Address:
                foreach (AddressStatus a in DataAddresses(snapshot))
                    writer.AppendRow(sb, Values(fields, f => IpmpStatFields.AddressValue(f, a, ctx)));
                break;
            case StatMode.Group:
                foreach (GroupStatus g in snapshot.Groups)
                    writer.AppendRow(sb, Values(fields, f => IpmpStatFields.GroupValue(f, g, ctx)));
                break;
            case StatMode.Interface:
                foreach (InterfaceStatus i in snapshot.Interfaces)
                    writer.AppendRow(sb, Values(fields, f => IpmpStatFields.InterfaceValue(f, i, ctx)));
                break;
            case StatMode.Target:
                foreach (InterfaceStatus i in snapshot.Interfaces)
                    foreach (TargetInfo t in IpmpStatFields.TargetRows(i))
                        writer.AppendRow(sb, Values(fields, f => IpmpStatFields.TargetValue(f, i, t, ctx)));
                break;
            case StatMode.Probe:
                throw new ArgumentException("-p is rendered from probe events: use RenderProbeRows or CreateProbeStream", nameof(options));
        }
        return sb.ToString();
    }

    /// <summary>The -p output for a sequence of events (SENT events print nothing).</summary>
    /// <param name="start">ipmpstat's own start time on the daemon's monotonic clock.</param>
    public string RenderProbeRows(IEnumerable<ProbeEvent> events, StatOptions options, TimeSpan start)
    {
        var stream = CreateProbeStream(options, start);
        var sb = new StringBuilder();
        foreach (ProbeEvent e in events)
            sb.Append(stream.Format(e));
        return sb.ToString();
    }

    /// <summary>A stateful -p formatter: feed it events as they arrive.</summary>
    /// <param name="start">ipmpstat's own start time on the daemon's monotonic clock.</param>
    public ProbeRowStream CreateProbeStream(StatOptions options, TimeSpan start)
    {
        if (options.Mode != StatMode.Probe)
            throw new ArgumentException("not -p options", nameof(options));
        return new ProbeRowStream(new OfmtWriter(options.Fields, options.Format, _rows), NewContext(IpmpSnapshot.Empty, options, start, _resolver, _warnings));
    }

    /// <summary>-p refuses to run ("probe-based failure detection is disabled") unless some interface probes.</summary>
    public static bool ProbingEnabled(IpmpSnapshot snapshot) =>
        snapshot.Interfaces.Any(i => i.Probe != ProbeState.Disabled);

    /// <summary>
    /// The -a rows: the named groups' data addresses in snapshot order, each (group, address) once, an UP
    /// copy replacing a DOWN one in the first copy's place. The anonymous group has no addresses.
    /// </summary>
    internal static IReadOnlyList<AddressStatus> DataAddresses(IpmpSnapshot snapshot)
    {
        var rows = new List<AddressStatus>();
        var index = new Dictionary<(string, IPAddress), int>();
        foreach (AddressStatus a in snapshot.Addresses)
        {
            if (a.Group.Length == 0)
                continue;
            if (index.TryGetValue((a.Group, a.Address), out int at))
            {
                if (rows[at].State != AddressState.Up && a.State == AddressState.Up)
                    rows[at] = a;
                continue;
            }
            index.Add((a.Group, a.Address), rows.Count);
            rows.Add(a);
        }
        return rows;
    }

    private static StatContext NewContext(IpmpSnapshot snapshot, StatOptions options, TimeSpan start,
        IHostNameResolver resolver, TextWriter warnings) =>
        new(snapshot, options.Numeric, resolver, m => warnings.Write(StatMessages.Warning(m)), start);

    /// <summary>Answers no name, and remembers what it was asked.</summary>
    private sealed class RecordingResolver : IHostNameResolver
    {
        public HashSet<IPAddress> Addresses { get; } = [];

        public string? TryGetHostName(IPAddress address)
        {
            Addresses.Add(address);
            return null;
        }
    }

    private static string?[] Values(IReadOnlyList<OfmtField> fields, Func<OfmtField, string?> value)
    {
        var values = new string?[fields.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = value(fields[i]);
        return values;
    }
}
