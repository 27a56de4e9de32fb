using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Ipmp.Cli.Stat;

/// <summary>
/// Name lookups that never hang ipmpstat: every address is looked up at most once, on a thread of its own (at
/// most <see cref="MaxParallel"/> at a time), and the answers are waited for only until a deadline. A lookup
/// still running then (a resolver that does not answer: glibc waits 5 s per server and try) leaves the address
/// numeric, as getnameinfo() does without a name; its thread ends in the background without holding the process.
/// <see cref="Prefetch"/> starts a batch of lookups and sets the deadline so that a whole snapshot's addresses
/// share one budget: <see cref="Budget"/> less what <c>spent</c> says the command has used already (its start-up:
/// the budget is the user's wait for the whole command), but never less than <see cref="MinimumWait"/>. A lookup
/// outside a batch (ipmpstat -p, row by row) gets a budget of its own.
/// </summary>
internal sealed class TimedHostNameResolver(IHostNameResolver inner, TimeSpan budget, Func<TimeSpan>? spent = null, TimeProvider? time = null)
    : IHostNameResolver
{
    /// <summary>About a second for a whole ipmpstat view, start-up included.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(1);

    /// <summary>What a batch gets at least, however long the start took (a JIT build on a busy machine).</summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(250);

    /// <summary>How long this process has been running.</summary>
    public static TimeSpan ProcessAge()
    {
        using var self = Process.GetCurrentProcess();
        return DateTime.Now - self.StartTime;
    }

    public const int MaxParallel = 32;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<IPAddress, Task<string?>> _lookups = new();
    private readonly SemaphoreSlim _slots = new(MaxParallel);
    private long? _deadline;

    public TimeSpan Budget { get; } = budget;

    /// <summary>Starts looking up every address now; the answers are awaited until the batch's deadline.</summary>
    public void Prefetch(IEnumerable<IPAddress> addresses)
    {
        TimeSpan wait = Budget - (spent?.Invoke() ?? TimeSpan.Zero);
        if (wait < MinimumWait)
            wait = MinimumWait;
        _deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        foreach (IPAddress address in addresses)
            Lookup(address);
    }

    /// <summary>Ends the current batch: the next lookup outside a batch gets a budget of its own.</summary>
    public void EndBatch() => _deadline = null;

    public string? TryGetHostName(IPAddress address)
    {
        Task<string?> lookup = Lookup(address);
        if (lookup.IsCompleted)
            return lookup.Result;
        long deadline = _deadline ?? _time.GetTimestamp() + (long)(Budget.TotalSeconds * _time.TimestampFrequency);
        TimeSpan left = _time.GetElapsedTime(_time.GetTimestamp(), deadline);
        if (left > TimeSpan.Zero)
        {
            try
            {
                lookup.Wait(left);
            }
            catch (AggregateException)
            {
            }
        }
        return lookup.IsCompletedSuccessfully ? lookup.Result : null;
    }

    private Task<string?> Lookup(IPAddress address) => _lookups.GetOrAdd(address, Start);

    private Task<string?> Start(IPAddress address)
    {
        var result = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        // A background thread: a resolver that never answers must not keep the process alive.
        var thread = new Thread(() =>
        {
            _slots.Wait();
            try
            {
                result.TrySetResult(inner.TryGetHostName(address));
            }
            catch (Exception e)
            {
                Debug.WriteLine($"name lookup of {address}: {e.Message}");
                result.TrySetResult(null);
            }
            finally
            {
                _slots.Release();
            }
        }, maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = "ipmpstat lookup",
        };
        thread.Start();
        return result.Task;
    }
}
