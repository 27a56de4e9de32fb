namespace Ipmp.Host.Runtime;

/// <summary>
/// What a component needs of the event loop to have a file descriptor watched: <paramref name="onReadable"/>
/// runs on the loop's thread whenever the descriptor is readable (level-triggered, so a handler may read a
/// bounded amount and leave the rest for the next turn). Called on the loop's thread, or before it starts.
/// </summary>
public interface IReadinessWatcher
{
    void Watch(int fd, Action onReadable);
    void Unwatch(int fd);

    /// <summary>Stops watching <paramref name="fd"/> for <paramref name="pause"/>, then watches it again: for a
    /// descriptor that stays readable while its handler cannot make progress (accept failing with EMFILE).</summary>
    void Snooze(int fd, TimeSpan pause);
}
