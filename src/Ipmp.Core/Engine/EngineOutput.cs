using System.Collections.Immutable;
using Ipmp.Core.Commands;

namespace Ipmp.Core.Engine;

/// <summary>
/// What one engine call wants done, in order, as values. The owner executes them after the call (the
/// engine's state is already consistent then): in a move, the add on the new member comes before the
/// remove from the old one, then the announcement.
/// </summary>
public readonly record struct EngineOutput(ImmutableArray<NetworkCommand> Commands)
{
    public static EngineOutput None { get; } = new([]);

    public bool IsEmpty => Commands.IsDefaultOrEmpty;
    public int Count => Commands.IsDefault ? 0 : Commands.Length;
}
