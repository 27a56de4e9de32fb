using Ipmp.Core.Configuration;
using Ipmp.Core.Model;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Turns the files of one underlying (member) interface into an <see cref="InterfaceConfig"/>.
/// <list type="bullet">
/// <item>Addresses without <c>-failover</c> are data addresses with this interface as their home.</item>
/// <item>An IPv4 <c>-failover</c> address is the test address. illumos prefers a <c>deprecated</c> one
/// and still uses one that is not (rating it lower); the loader does the same and warns, since without
/// <c>deprecated</c> applications may pick the test address as a source and lose it on failure.</item>
/// <item>IPv6 probes always come from the link-local address, so <c>-failover</c> with no address (or on a
/// link-local one) turns on IPv6 probing; a non-link-local IPv6 test address is ignored, as illumos does.</item>
/// </list>
/// </summary>
internal sealed class MemberInterfaceBuilder(InterfaceFiles files, DiagnosticBag diagnostics)
{
    private readonly List<IpPrefix> _data = [];
    private readonly List<(ConfiguredAddress Address, HostnameFile File)> _testCandidates = [];
    private readonly List<AddressUse> _uses = [];
    private bool _probeV6;

    /// <summary>Addresses this interface configures, for the uniqueness check across all files.</summary>
    public IReadOnlyList<AddressUse> Uses => _uses;

    public InterfaceConfig Build()
    {
        var group = GroupNameResolver.Resolve(files, diagnostics);
        RefuseLoopback(group);
        foreach (var file in files.Files)
            foreach (var address in file.Addresses)
                Classify(file, address, group);

        var test = ChooseTestAddress();
        var standby = ResolveStandby(group);
        return new InterfaceConfig(files.Interface, group, standby, [.. _data], test, _probeV6);
    }

    /// <summary>The one link kind a file name tells: Linux names its loopback interface "lo" in every network
    /// namespace. Loopback (like point-to-point, non-multicast and NOARP links, which only the daemon can see
    /// and refuses at run time) can never be in an IPMP group.</summary>
    private void RefuseLoopback(string? group)
    {
        if (string.IsNullOrEmpty(group) || files.Interface != LoopbackName) return;
        var (_, file, line) = files.NamedGroups.First();
        diagnostics.Error(file.DisplayName, line,
            $"{LoopbackName} is the loopback interface, which cannot be in an IPMP group (group '{group}'): loopback, " +
            "point-to-point, non-multicast and NOARP interfaces are refused; remove 'group' or this file");
    }

    public const string LoopbackName = "lo";

    private void Classify(HostnameFile file, ConfiguredAddress address, string? group)
    {
        if (address.NoFailover)
        {
            if (file.Name.Family == AddressFamilyKind.V4) ClassifyV4Test(file, address, group);
            else ClassifyV6Test(file, address);
            return;
        }
        if (address.Address is not { } ip) return;
        if (ip.IsIPv6LinkLocal)
        {
            diagnostics.Warning(file.DisplayName, address.Line,
                $"{ip} is link-local, which is never a data address (it cannot move to another link); ignored");
            return;
        }
        if (!UpStateCheck.IsUp(address, file, $"data address {ip}", diagnostics)) return;
        _data.Add(AddressDefaults.ToPrefix(address));
        _uses.Add(new AddressUse(ip, file.DisplayName, address.Line, IsTest: false, group));
    }

    private void ClassifyV4Test(HostnameFile file, ConfiguredAddress address, string? group)
    {
        if (address.Address is not { } ip)
        {
            diagnostics.Warning(file.DisplayName, address.NoFailoverLine,
                "'-failover' without an address gives no IPv4 test address (expected ADDRESS deprecated -failover up)");
            return;
        }
        if (!UpStateCheck.IsUp(address, file, $"test address {ip}", diagnostics)) return;
        if (!address.Deprecated)
            diagnostics.Warning(file.DisplayName, address.Line,
                $"test address {ip} is not 'deprecated'; it is still used for probing (as illumos does), but applications may use it as a source address (add 'deprecated')");
        _testCandidates.Add((address, file));
        _uses.Add(new AddressUse(ip, file.DisplayName, address.Line, IsTest: true, group));
    }

    private void ClassifyV6Test(HostnameFile file, ConfiguredAddress address)
    {
        if (address.Address is { IsIPv6LinkLocal: false } ip)
        {
            diagnostics.Warning(file.DisplayName, address.Line,
                $"IPv6 test address {ip} is not link-local; illumos ignores it because IPv6 probes always use the link-local address (write '-failover' without an address)");
            return;
        }
        var what = address.Address is { } linkLocal ? $"IPv6 test address {linkLocal}" : "the link-local test address ('-failover')";
        if (!UpStateCheck.IsUp(address, file, what, diagnostics)) return;
        _probeV6 = true;
    }

    /// <summary>The model holds one IPv4 test address: the first deprecated one, else the first one.</summary>
    private IpPrefix? ChooseTestAddress()
    {
        if (_testCandidates.Count == 0) return null;
        var chosen = _testCandidates.FirstOrDefault(c => c.Address.Deprecated);
        if (chosen.Address is null) chosen = _testCandidates[0];
        foreach (var (address, file) in _testCandidates.Where(c => c.Address != chosen.Address))
            diagnostics.Warning(file.DisplayName, address.Line,
                $"test address {address.Address} is not used: an interface has one IPv4 test address, and {chosen.Address.Address} is used");
        return AddressDefaults.ToPrefix(chosen.Address);
    }

    /// <summary>Last <c>standby</c>/<c>-standby</c> in boot order wins; disagreement between files is reported.</summary>
    private bool ResolveStandby(string? group)
    {
        var settings = files.Files.Where(f => f.Standby is not null).ToList();
        if (settings.Count == 0) return false;
        var last = settings[^1];
        foreach (var other in settings.Where(f => f.Standby != last.Standby))
            diagnostics.Warning(last.DisplayName, last.StandbyLine,
                $"'{(last.Standby!.Value ? "standby" : "-standby")}' here overrides '{(other.Standby!.Value ? "standby" : "-standby")}' at {other.DisplayName}:{other.StandbyLine} (IPv6 files are applied after IPv4 ones)");
        if (last.Standby!.Value && group is null)
            diagnostics.Warning(last.DisplayName, last.StandbyLine,
                $"'standby' has no effect: {files.Interface} is not in a group (add 'group NAME')");
        return last.Standby.Value;
    }
}
