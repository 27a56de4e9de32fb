using Ipmp.Core.Events;

namespace Ipmp.Core.Commands;

/// <summary>
/// The seam between the engine and a network: the Linux backend and the simulator both implement it.
/// The engine calls <see cref="Execute"/> synchronously; what the network observes as a result comes back
/// later as <see cref="NetworkEvent"/>s through the owner's event loop, never re-entrantly.
/// </summary>
public interface INetworkPort
{
    void Execute(NetworkCommand command);
}

/// <summary>A port that keeps the commands, for tests and dry runs.</summary>
public sealed class RecordingPort : INetworkPort
{
    public List<NetworkCommand> Commands { get; } = [];
    public void Execute(NetworkCommand command) => Commands.Add(command);
}
