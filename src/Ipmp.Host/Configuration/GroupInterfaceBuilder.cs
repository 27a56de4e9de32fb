using Ipmp.Core.Configuration;
using Ipmp.Core.Model;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Turns the files of a group's IPMP interface (Solaris 11 style, e.g. hostname.ipmp0 with <c>ipmp</c>)
/// into a <see cref="GroupConfig"/>: its up addresses are the group's own data addresses, which belong to
/// no single member. The group is the one its <c>group NAME</c> gives, else the interface's own name.
/// An IPMP interface is not a member, so member-only keywords (<c>standby</c>, <c>-failover</c>) are errors.
/// </summary>
internal sealed class GroupInterfaceBuilder(InterfaceFiles files, DiagnosticBag diagnostics)
{
    private readonly List<AddressUse> _uses = [];

    public IReadOnlyList<AddressUse> Uses => _uses;

    public GroupConfig Build()
    {
        var groupName = GroupNameResolver.Resolve(files, diagnostics) ?? files.Interface;
        var data = new List<IpPrefix>();
        foreach (var file in files.Files)
        {
            if (file.Standby == true)
                diagnostics.Error(file.DisplayName, file.StandbyLine,
                    $"'standby' is for underlying interfaces, not for {files.Interface}, the IPMP interface of group {groupName}");
            foreach (var address in file.Addresses)
            {
                if (address.NoFailover)
                {
                    diagnostics.Error(file.DisplayName, address.NoFailoverLine,
                        $"'-failover' (a test address) is for underlying interfaces, not for {files.Interface}, the IPMP interface of group {groupName}");
                    continue;
                }
                if (address.Address is not { } ip) continue;
                if (ip.IsIPv6LinkLocal)
                {
                    diagnostics.Info(file.DisplayName, address.Line,
                        $"{ip} is link-local, which is not a group data address; ignored");
                    continue;
                }
                if (!UpStateCheck.IsUp(address, file, $"group data address {ip}", diagnostics)) continue;
                data.Add(AddressDefaults.ToPrefix(address));
                _uses.Add(new AddressUse(ip, file.DisplayName, address.Line, IsTest: false, groupName));
            }
        }
        return new GroupConfig(groupName, [.. data]);
    }
}
