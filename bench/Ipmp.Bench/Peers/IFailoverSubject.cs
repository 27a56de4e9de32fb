using Ipmp.Lab;

namespace Ipmp.Bench.Peers;

/// <summary>
/// Something that moves the data address 192.168.10.50 off net0 when net0 loses carrier, and back when it
/// returns: our daemon, or a peer set up to do the same job in the same lab.
/// </summary>
public interface IFailoverSubject : IDisposable
{
    string Name { get; }

    /// <summary>Sets up the lab's host namespace and starts; afterwards .50 is (or soon will be) on net0.</summary>
    void Start(NamespaceLab lab);

    /// <summary>How long to wait after failback before the next trial (flap damping, preemption).</summary>
    TimeSpan Settle { get; }

    /// <summary>How long a move may take before the trial counts as failed.</summary>
    TimeSpan MoveTimeout { get; }
}
