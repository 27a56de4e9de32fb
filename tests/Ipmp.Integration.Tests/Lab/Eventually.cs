using System.Diagnostics;

namespace Ipmp.Integration.Tests.Lab;

/// <summary>Waits for a state with a deadline, polling; never a blind sleep.</summary>
internal static class Eventually
{
    /// <returns>How long it took.</returns>
    public static TimeSpan Until(Func<bool> condition, TimeSpan timeout, string what, Func<string>? describe = null)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            if (condition()) return sw.Elapsed;
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:F1} s waiting for {what}{(describe is null ? "" : "\n" + describe())}");
            Thread.Sleep(5);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> gives a value, and returns it.</summary>
    public static T Value<T>(Func<T?> probe, TimeSpan timeout, string what) where T : struct
    {
        T? value = null;
        Until(() => (value = probe()) is not null, timeout, what);
        return value!.Value;
    }

    /// <summary>Asserts that <paramref name="condition"/> holds for the whole of <paramref name="period"/>.</summary>
    public static void Holds(Func<bool> condition, TimeSpan period, string what, Func<string>? describe = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < period)
        {
            if (!condition()) throw new Xunit.Sdk.XunitException($"{what} stopped holding after {sw.Elapsed.TotalSeconds:F2} s{(describe is null ? "" : "\n" + describe())}");
            Thread.Sleep(10);
        }
    }
}
