namespace Ipmp.Lab;

/// <summary>Delays drawn uniformly from [<see cref="Min"/>, <see cref="Max"/>] by a seeded generator, so a
/// run can be repeated with the same sequence of delays.</summary>
public sealed class UniformJitter
{
    private readonly Random _random;

    public UniformJitter(TimeSpan min, TimeSpan max, int seed)
    {
        if (min < TimeSpan.Zero || max < min) throw new ArgumentOutOfRangeException(nameof(max), "0 <= min <= max");
        Min = min;
        Max = max;
        Seed = seed;
        _random = new Random(seed);
    }

    public TimeSpan Min { get; }
    public TimeSpan Max { get; }
    public int Seed { get; }

    public TimeSpan Next() => Min + TimeSpan.FromTicks((long)(_random.NextDouble() * (Max - Min).Ticks));
}
