namespace Ipmp.Host.Runtime;

/// <summary>
/// Test seam for crash-only supervision, off unless <c>IPMP_TEST_FAULT</c> names a component
/// (<c>engine</c>, <c>executor</c>, <c>monitor</c>, <c>worker</c>): that component then throws the first time
/// it handles a carrier loss (or, for the route worker, an outbound change) after start-up. The namespace
/// tests use it to show that every such failure ends the process non-zero instead of leaving a zombie.
/// </summary>
public sealed class FaultInjection(string? component)
{
    public static FaultInjection FromEnvironment() => new(Environment.GetEnvironmentVariable("IPMP_TEST_FAULT"));

    public static FaultInjection None { get; } = new(null);

    private int _fired;

    public bool Enabled => component is not null;

    public void Maybe(string where)
    {
        if (component is null || component != where || Interlocked.Exchange(ref _fired, 1) != 0) return;
        throw new InvalidOperationException($"injected fault in {where} (IPMP_TEST_FAULT)");
    }
}
