namespace Ipmp.Host.Runtime;

/// <summary>
/// One daemon per host (per runtime directory): an exclusive lock on a file beside the control socket,
/// taken before the daemon touches any sysctl, address or route. .NET takes it with flock(LOCK_EX|LOCK_NB)
/// for FileShare.None on Linux; the kernel drops it when the process dies, even by kill -9.
/// </summary>
public static class DaemonLock
{
    public static IDisposable? TryAcquire(string path, out string? error)
    {
        error = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n");
            stream.Write(pid);
            stream.Flush();
            return stream;
        }
        catch (IOException e)
        {
            error = $"{path} is locked by another daemon ({e.Message})";
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            error = $"cannot open {path}: {e.Message}";
            return null;
        }
    }
}
