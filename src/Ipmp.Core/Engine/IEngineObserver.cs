using Ipmp.Core.Logging;
using Ipmp.Core.Status;

namespace Ipmp.Core.Engine;

/// <summary>A state change worth telling monitors about (<c>ipmp events</c>).</summary>
public sealed record StateChange(TimeSpan At, string Kind, string Group, string? Interface, string Detail);

/// <summary>What the engine reports while it works: log lines, probe events, state changes.</summary>
public interface IEngineObserver
{
    void Log(LogMessage message) { }

    /// <summary>Whether <see cref="Probe"/> is wanted now: probe events are built only then (they would
    /// otherwise cost two allocations per probe on the hot path with nobody listening).</summary>
    bool WantsProbes => true;

    void Probe(ProbeEvent probe) { }
    void Changed(StateChange change) { }
}

public sealed class NullObserver : IEngineObserver
{
    public static NullObserver Instance { get; } = new();
    public bool WantsProbes => false;
}
