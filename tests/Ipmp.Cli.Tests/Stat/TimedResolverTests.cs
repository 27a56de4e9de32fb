using System.Diagnostics;
using System.Net;
using Ipmp.Cli.Stat;

namespace Ipmp.Cli.Tests.Stat;

/// <summary>Name lookups run in parallel within one budget; what has no answer by then is printed as a number.</summary>
public class TimedResolverTests
{
    /// <summary>Answers after a delay per address (forever for the ones in <c>hang</c>), in parallel.</summary>
    private sealed class SlowResolver(TimeSpan delay, params string[] hang) : IHostNameResolver
    {
        private int _running;

        public int MaxRunning;

        public string? TryGetHostName(IPAddress address)
        {
            int now = Interlocked.Increment(ref _running);
            InterlockedMax(ref MaxRunning, now);
            try
            {
                Thread.Sleep(hang.Contains(address.ToString()) ? TimeSpan.FromSeconds(30) : delay);
                return "host-" + address.ToString().Replace('.', '-').Replace(':', '-');
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int seen;
            while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
        }
    }

    [Fact]
    public void A_snapshot_whose_lookups_hang_renders_within_the_budget_with_numbers_for_them()
    {
        // Every target of the example hangs; the test addresses answer after 200 ms each (serially: 1.4 s).
        string[] targets = ["10.1.1.1", "192.168.10.2", "192.168.10.5", "192.168.10.3"];
        var slow = new SlowResolver(TimeSpan.FromMilliseconds(200), targets);
        var renderer = new IpmpStatRenderer(new TimedHostNameResolver(slow, TimeSpan.FromMilliseconds(700)));
        var sw = Stopwatch.StartNew();
        string text = renderer.Render(ExampleScenario.Snapshot, StatOptions.Parse(["-t"]).Options!);
        sw.Stop();

        Assert.InRange(sw.ElapsedMilliseconds, 600, 1500);
        Assert.Contains("host-10-1-1-11", text);          // a test address: named
        Assert.Contains("host-192-168-10-13", text);
        Assert.Contains("10.1.1.1", text);                // a target: still a number
        Assert.DoesNotContain("host-10-1-1-1 ", text);
        Assert.True(slow.MaxRunning > 1, "the lookups ran one after another");
    }

    [Fact]
    public void Numeric_output_looks_nothing_up_and_answers_are_cached()
    {
        var fake = new FakeHostNameResolver(new Dictionary<string, string> { ["10.1.1.1"] = "router" });
        var timed = new TimedHostNameResolver(fake, TimeSpan.FromSeconds(1));
        new IpmpStatRenderer(timed).Render(ExampleScenario.Snapshot, StatOptions.Parse(["-tn"]).Options!);
        Assert.Empty(fake.Queries);
        string text = new IpmpStatRenderer(timed).Render(ExampleScenario.Snapshot, StatOptions.Parse(["-t"]).Options!);
        Assert.Contains("router", text);
        int queries = fake.Queries.Count;
        new IpmpStatRenderer(timed).Render(ExampleScenario.Snapshot, StatOptions.Parse(["-t"]).Options!);
        Assert.Equal(queries, fake.Queries.Count);
        Assert.Equal(fake.Queries.Distinct().Count(), fake.Queries.Count);   // each address once
    }

    [Fact]
    public void What_the_command_spent_before_comes_off_the_budget_down_to_a_minimum()
    {
        var hang = new SlowResolver(TimeSpan.Zero, "192.0.2.1");
        var sw = Stopwatch.StartNew();
        var timed = new TimedHostNameResolver(hang, TimeSpan.FromSeconds(1), spent: () => TimeSpan.FromMilliseconds(600));
        timed.Prefetch([IPAddress.Parse("192.0.2.1")]);
        Assert.Null(timed.TryGetHostName(IPAddress.Parse("192.0.2.1")));
        Assert.InRange(sw.ElapsedMilliseconds, 350, 900);    // 1 s less 600 ms

        sw.Restart();
        timed = new TimedHostNameResolver(hang, TimeSpan.FromSeconds(1), spent: () => TimeSpan.FromSeconds(5));
        timed.Prefetch([IPAddress.Parse("192.0.2.1")]);
        Assert.Null(timed.TryGetHostName(IPAddress.Parse("192.0.2.1")));
        Assert.InRange(sw.ElapsedMilliseconds, TimedHostNameResolver.MinimumWait.TotalMilliseconds - 50, 900);
    }

    [Fact]
    public void A_lookup_outside_a_batch_waits_at_most_one_budget()
    {
        var timed = new TimedHostNameResolver(new SlowResolver(TimeSpan.Zero, "192.0.2.1"), TimeSpan.FromMilliseconds(300));
        var sw = Stopwatch.StartNew();
        Assert.Null(timed.TryGetHostName(IPAddress.Parse("192.0.2.1")));
        Assert.InRange(sw.ElapsedMilliseconds, 250, 1000);
        Assert.Equal("host-192-0-2-2", timed.TryGetHostName(IPAddress.Parse("192.0.2.2")));
    }
}
