using Ipmp.Core.Engine;
using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Host.Daemon;

/// <summary>The engine has one observer: this one hands each callback to several (the control socket's
/// <see cref="DaemonObserver"/>, metrics, notify hooks), on the loop, in order. Probe events are built when any
/// of them wants them.</summary>
public sealed class FanOutObserver(IEngineObserver first, params IEngineObserver[] rest) : IEngineObserver
{
    private readonly IEngineObserver[] _all = [first, .. rest];

    public void Log(LogMessage message)
    {
        foreach (var o in _all) o.Log(message);
    }

    public bool WantsProbes
    {
        get
        {
            foreach (var o in _all)
                if (o.WantsProbes) return true;
            return false;
        }
    }

    public void Probe(ProbeEvent probe)
    {
        foreach (var o in _all)
            if (o.WantsProbes) o.Probe(probe);
    }

    public void Changed(StateChange change)
    {
        foreach (var o in _all) o.Changed(change);
    }
}
