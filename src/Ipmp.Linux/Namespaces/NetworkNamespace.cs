using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Ipmp.Linux.Namespaces;

/// <summary>
/// A dedicated thread that has joined a network namespace with setns(2); work passed to <see cref="Run{T}"/>
/// executes there. setns(CLONE_NEWNET) changes only the calling thread, and a managed thread is one OS thread.
/// <para>What follows the thread (verified by tests): sockets created on it (netlink, raw, packet) stay in
/// the namespace for their whole life, wherever they are used or awaited later; /proc/sys/net opened on it;
/// child processes started on it.</para>
/// <para>Caveats: async continuations do not run on this thread, so create sockets and open /proc/sys
/// files inside <see cref="Run{T}"/> (synchronously), not after an await. /proc/net and /proc/self/net
/// follow the process's main thread, not this one (use /proc/thread-self/net). /sys/class/net shows the
/// namespace sysfs was mounted in. The namespace file (/run/netns/NAME) is created by ip-netns(8); the
/// namespace lives as long as that mount or any socket or thread in it.</para>
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    public const string RunDirectory = "/run/netns";

    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    private NetworkNamespace(string path)
    {
        Path = path;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Loop(path, ready))
        {
            IsBackground = true, // never keeps the process alive
            Name = $"netns {System.IO.Path.GetFileName(path)}",
        };
        _thread.Start();
        ready.Task.GetAwaiter().GetResult();
    }

    /// <summary>The namespace file that was joined.</summary>
    public string Path { get; }

    /// <summary>Joins /run/netns/<paramref name="name"/> (as created by <c>ip netns add</c>).</summary>
    public static NetworkNamespace Open(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name is "." or "..")
            throw new ArgumentException($"not a namespace name: '{name}'", nameof(name));
        return OpenPath($"{RunDirectory}/{name}");
    }

    /// <summary>Joins the namespace behind any nsfs file, e.g. /proc/PID/ns/net.</summary>
    public static NetworkNamespace OpenPath(string path) => new(path);

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    private void Loop(string path, TaskCompletionSource ready)
    {
        try
        {
            using var fd = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            if (Interop.Libc.SetNs(fd, Interop.Libc.CLONE_NEWNET) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"setns({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
            }
        }
        catch (Exception e)
        {
            ready.SetException(e);
            return;
        }
        ready.SetResult();
        foreach (var item in _work.GetConsumingEnumerable()) item();
    }

    /// <summary>Runs <paramref name="func"/> on the namespace thread and waits for it.</summary>
    public T Run<T>(Func<T> func) => IsCurrentThread ? func() : RunAsync(func).GetAwaiter().GetResult();

    public void Run(Action action) => Run<object?>(() =>
    {
        action();
        return null;
    });

    /// <summary>Queues <paramref name="func"/> on the namespace thread; the task completes off that thread.</summary>
    public Task<T> RunAsync<T>(Func<T> func)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                tcs.SetResult(func());
            }
            catch (Exception e)
            {
                tcs.SetException(e);
            }
        });
        return tcs.Task;
    }

    public Task RunAsync(Action action) => RunAsync<object?>(() =>
    {
        action();
        return null;
    });

    /// <summary>Stops the thread after queued work; sockets created on it keep working (and stay in the namespace).</summary>
    public void Dispose()
    {
        if (_work.IsAddingCompleted) return;
        _work.CompleteAdding();
        if (!IsCurrentThread) _thread.Join();
        _work.Dispose();
    }
}
