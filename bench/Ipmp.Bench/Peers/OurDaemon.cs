using Ipmp.Bench.Lab;
using Ipmp.Lab;

namespace Ipmp.Bench.Peers;

/// <summary>The subject under test: the ipmp daemon with the lab's standard group (net0 .50, net1 .51,
/// net2 standby, test addresses .10–.12), probing at FDT 300 ms so that failback after each trial is quick.</summary>
public sealed class OurDaemon(string? aotBinary = null) : IFailoverSubject
{
    private BenchDaemon? _daemon;

    public string Name => "ipmp";
    public TimeSpan Settle => TimeSpan.FromMilliseconds(300);
    public TimeSpan MoveTimeout => TimeSpan.FromSeconds(5);

    public void Start(NamespaceLab lab)
    {
        lab.WriteStandardConfig(fdtMs: 300);
        _daemon = new BenchDaemon(lab, aotBinary);
    }

    public void Dispose() => _daemon?.Dispose();
}
