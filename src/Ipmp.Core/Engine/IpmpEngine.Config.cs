using Ipmp.Core.Commands;
using Ipmp.Core.Configuration;
using Ipmp.Core.Events;
using Ipmp.Core.Probing;

namespace Ipmp.Core.Engine;

public sealed partial class IpmpEngine
{
    private void ApplyConfigCore(IpmpConfig config)
    {
        Config = config;
        _configOrder.Clear();
        for (var i = 0; i < config.Interfaces.Length; i++) _configOrder.TryAdd(config.Interfaces[i].Name, i);
        var fdt = config.Settings.FailureDetectionTime;

        // Groups: every group named by a group file or by a member.
        var names = config.Groups.Select(g => g.Name)
            .Concat(config.Interfaces.Where(i => i.InNamedGroup).Select(i => i.Group!))
            .Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var group = _groups.FirstOrDefault(g => g.Name == name);
            if (group is null)
            {
                group = new GroupRuntime(name, fdt);
                _groups.Add(group);
                Changed("group-added", group, null, "");
            }
            group.Config = config.Groups.FirstOrDefault(g => g.Name == name);
        }
        foreach (var g in AllGroups) g.Reconfigure(fdt);

        // Members: move, drop or update what exists, then add what is new.
        foreach (var ifp in _interfaces.Values.ToList())
        {
            var cfg = config.FindInterface(ifp.Name);
            var group = DesiredGroup(ifp.Name, cfg);
            if (group is null || group != ifp.Group)
            {
                RemoveMember(ifp);
                if (group is not null) AddMember(ifp.Name, group, cfg);
                continue;
            }
            var standbyChanged = ifp.Standby != (cfg?.Standby ?? false);
            ifp.Config = cfg;
            if (standbyChanged && ifp.Standby && ifp.Active) ifp.Inactive = true;  // capacity rule re-activates if needed
            if (ifp.Present) RefreshTestAddresses(ifp);
        }
        foreach (var cfg in config.Interfaces)
            if (!_interfaces.ContainsKey(cfg.Name) && DesiredGroup(cfg.Name, cfg) is { } g)
                AddMember(cfg.Name, g, cfg);
        foreach (var link in _links.Values)
            if (!_interfaces.ContainsKey(link.Name) && DesiredGroup(link.Name, config.FindInterface(link.Name)) is { } g)
                AddMember(link.Name, g, config.FindInterface(link.Name));
        // Refusals concern named-group members only.
        foreach (var name in _refused.Keys.Where(n => config.FindInterface(n) is not { InNamedGroup: true }).ToList())
            _refused.Remove(name);

        RebuildDataAddresses();
        foreach (var g in AllGroups) g.Dirty = true;

        // A named group that nobody names any more goes away.
        foreach (var g in _groups.Where(g => !names.Contains(g.Name)).ToList())
        {
            foreach (var m in g.Members.ToList()) RemoveMember(m);
            _groups.Remove(g);
            Changed("group-removed", g, null, "");
        }
        Log(new Logging.LogMessage(Logging.MessageId.ConfigApplied, Logging.LogLevel.Info,
            $"configuration applied: {_groups.Count} group(s), {_interfaces.Count} interface(s), failure detection time {(int)fdt.TotalMilliseconds} ms, failback {(config.Settings.Failback ? "yes" : "no")}"));
    }

    /// <summary>Which group an interface belongs in: its named group, the anonymous group when every
    /// interface is tracked, or none (untracked).</summary>
    private GroupRuntime? DesiredGroup(string name, InterfaceConfig? cfg)
    {
        if (cfg is { InNamedGroup: true })
        {
            var named = _groups.First(g => g.Name == cfg.Group);
            return _links.TryGetValue(name, out var known) && Refused(known, named) ? null : named;
        }
        if (Config.Settings.TrackInterfacesOnlyWithGroups) return null;
        if (_links.TryGetValue(name, out var link) && !Trackable(link)) return null;
        return _anonymous;
    }

    /// <summary>illumos never tracks loopback, point-to-point or non-multicast interfaces.</summary>
    private static bool Trackable(LinkInfo link) => link.Multicast && !link.Loopback && !link.PointToPoint;

    private void AddMember(string name, GroupRuntime group, InterfaceConfig? cfg)
    {
        var ifp = new InterfaceRuntime(name, group, cfg, Now) { Addresses = KernelAddresses(name), MemoryChanges = _memoryChanges };
        foreach (var pi in ifp.Instances) pi.LateReplies = _options.LateReplies;
        _interfaces[name] = ifp;
        group.Members.Insert(0, ifp);
        group.Touch();
        Changed("member-added", group, ifp, "");
        if (_links.TryGetValue(name, out var link)) Attach(ifp, link);
    }

    private void RemoveMember(InterfaceRuntime ifp)
    {
        var group = ifp.Group;
        StopProbing(ifp);
        group.Members.Remove(ifp);
        ReleaseTwin(ifp, ifp.Link?.Mac);
        _interfaces.Remove(ifp.Name);
        _memoryChanges.Value++;
        if (group.V4Nominee == ifp) group.V4Nominee = null;
        if (group.V6Nominee == ifp) group.V6Nominee = null;
        group.Touch();
        Changed("member-removed", group, ifp, "");
    }

    /// <summary>The interface exists in the kernel (at start, plugged in, or after a missing-at-boot wait):
    /// configure it from its file and bring it into service.</summary>
    private void Attach(InterfaceRuntime ifp, LinkInfo link)
    {
        ifp.Link = link;
        ifp.CreatedAt = Now;
        ifp.Identifier = ProbePacket.MakeIdentifier(_options.RunId, link.Index);
        ifp.Failed = false;
        var memory = Recall(ifp, link);   // from before a restart (IpmpEngine.Memory.cs)
        // The probe instances are created now (illumos mpd_tables.c, phyint_inst_create): their quiet period
        // starts here and nowhere else (not on online, link-up or a new test address).
        foreach (var pi in ifp.Instances) pi.QuietUntil = Now + _options.QuietPeriod;
        _missingReported.Remove((ifp.Name, false));
        _missingReported.Remove((ifp.Name, true));
        if (!ifp.Group.IsAnonymous) Emit(new PrepareMember(ifp.Name));
        RefreshTestAddresses(ifp);
        ifp.TestAddressCheckAt = ifp.CanProbe ? null : Now + _options.TestAddressGrace;
        var twin = HwAddrTwin(ifp, link.Mac, onlineOnly: true);
        if (ifp.HwAddrDup && twin is null)
        {
            // Offline as a duplicate when it went away, unique now that it is back.
            Log(Logging.MessageCatalog.HwAddrUnique(ifp.Name, ifp.Group.Name));
            ifp.HwAddrDup = false;
            ifp.Offline = false;
        }
        if (memory is not null && ResumeRemembered(ifp, memory)) return;
        if (ifp.Offline)
        {
            ifp.State = PiState.Offline;
            return;
        }
        if (twin is not null)
        {
            // Every member must have its own MAC (illumos mpd_tables.c, phyint_inst_init_from_k): the newcomer
            // goes offline, with minimum redundancy 0, until its address is unique.
            ifp.HwAddrDup = true;
            TakeOffline(ifp);
            return;
        }
        TransitionToRunning(ifp, RunningReason.Initial);
        if (memory is not null) ResumeActivity(ifp, memory);
        // illumos starts every link as "up", so a link that is already down is an ordinary down transition.
        if (link.Link == Status.LinkState.Down) LinkWentDown(ifp);
        else StartProbing(ifp);
    }

    /// <summary>The interface left the kernel: its addresses are gone with it; fail it over.</summary>
    private void Detach(InterfaceRuntime ifp)
    {
        var mac = ifp.Link?.Mac;
        StopProbing(ifp);
        foreach (var pi in ifp.Instances)
        {
            pi.Targets.Clear();
            pi.History.Clear();
            pi.TestAddress = null;
            pi.TransitiveOn = false;
        }
        ifp.Link = null;
        ifp.State = PiState.Init;
        ifp.Inactive = false;
        ifp.Group.Touch();
        Log(Logging.MessageCatalog.InterfaceRemoved("inet", ifp.Name));
        Changed("interface-removed", ifp.Group, ifp, "");
        ReleaseTwin(ifp, mac);
        RefreshGroupState(ifp.Group);
    }

    /// <summary>Rebuilds each named group's data-address list from the configuration, keeping where each
    /// existing address is bound; addresses no longer configured are removed from the kernel.</summary>
    private void RebuildDataAddresses()
    {
        foreach (var group in _groups)
        {
            var wanted = new List<(Model.IpPrefix Prefix, string? Home)>();
            foreach (var a in group.Config?.DataAddresses ?? []) wanted.Add((a, null));
            foreach (var cfg in Config.Interfaces.Where(i => i.Group == group.Name))
                foreach (var a in cfg.DataAddresses) wanted.Add((a, cfg.Name));

            var old = group.Addresses.ToDictionary(a => a.Prefix);
            group.Addresses.Clear();
            foreach (var (prefix, home) in wanted)
            {
                if (group.Addresses.Any(a => a.Prefix == prefix)) continue;
                var da = old.Remove(prefix, out var existing) ? existing : new DataAddress(prefix, home);
                da.Home = home;
                group.Addresses.Add(da);
            }
            foreach (var gone in old.Values)
                if (gone.BoundTo is { } host && KernelAddresses(host).Contains(gone.Prefix))
                    RemoveKernelAddress(host, gone.Prefix);
            group.Touch();
        }
    }
}
