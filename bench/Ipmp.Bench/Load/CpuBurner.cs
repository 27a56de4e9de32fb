namespace Ipmp.Bench.Load;

/// <summary>A stress-like CPU load: busy threads (one per core by default) that stop by themselves after
/// <paramref name="limit"/> or when disposed, whichever is first.</summary>
public sealed class CpuBurner : IDisposable
{
    private readonly List<Thread> _threads = [];
    private readonly DateTime _until;
    private volatile bool _stop;
    public long Spins;

    public CpuBurner(TimeSpan limit, int threads = 0)
    {
        _until = DateTime.UtcNow + limit;
        for (var i = 0; i < (threads > 0 ? threads : Environment.ProcessorCount); i++)
        {
            var t = new Thread(Burn) { IsBackground = true, Name = "cpu burner", Priority = ThreadPriority.BelowNormal };
            _threads.Add(t);
            t.Start();
        }
    }

    private void Burn()
    {
        var x = 1.0;
        while (!_stop && DateTime.UtcNow < _until)
        {
            for (var i = 0; i < 100_000; i++) x = x * 1.0000001 + 1e-9;
            Interlocked.Increment(ref Spins);
        }
        GC.KeepAlive(x);
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var t in _threads) t.Join(1000);
    }
}
