using Ipmp.Linux.Netlink;

namespace Ipmp.Linux.Tests.Lab;

internal static class LabExtensions
{
    public static RtNetlinkClient HostClient(this NetLab lab) => lab.HostNs.Run(() => RtNetlinkClient.Create());
    public static RtNetlinkClient PeerClient(this NetLab lab) => lab.PeerNs.Run(() => RtNetlinkClient.Create());

    public static async Task<LinkInfo> Link(this RtNetlinkClient client, string name) =>
        (await client.GetLinksAsync()).Single(l => l.Name == name);
}
