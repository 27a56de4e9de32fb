using Ipmp.Dev.Demo;

namespace Ipmp.Cli.Tests.Demo;

public class SimDemoTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(100, 2)]
    [InlineData(10000, 3)]
    public void Demo_plays_every_step_and_ends_with_every_address_home(int fdtMs, int seed)
    {
        var output = new StringWriter();
        var exit = new SimDemo(output, TimeSpan.FromMilliseconds(fdtMs), seed).Run();
        var text = output.ToString();

        Assert.Equal(0, exit);
        Assert.Contains("The link has gone down on net0", text);
        Assert.Contains("IP interface failure detected on net0 of group ipmp0", text);
        Assert.Contains("Successfully failed over 192.168.10.50/24 from NIC net0 to NIC net2", text);
        Assert.Contains("IP interface failure detected on net1 of group ipmp0", text);
        Assert.Contains("IP interface repair detected on net1 of group ipmp0", text);
        Assert.Contains("net1 net0 (net2)", text);
        Assert.Contains("Every data address is home and reachable", text);
        Assert.Matches(@"net2\s+transitive <net2>\s+<net0>", text);
        Assert.Contains("IP interface failure detected on net2 of group ipmp0", text);
        Assert.Contains("IP interface repair detected on net2 of group ipmp0", text);
        Assert.Contains("found and its repair seen without a test address", text);
        Assert.DoesNotContain("never", text);
    }
}
