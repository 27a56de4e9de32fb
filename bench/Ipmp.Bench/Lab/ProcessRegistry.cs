using System.Diagnostics;

namespace Ipmp.Bench.Lab;

/// <summary>Every process the bench starts (daemons, peers, CLI runs), so that Ctrl-C and process exit
/// can kill exactly those, by pid, before the namespaces go.</summary>
public static class ProcessRegistry
{
    private static readonly HashSet<Process> Live = [];

    public static void Add(Process p)
    {
        lock (Live) Live.Add(p);
    }

    public static void Remove(Process p)
    {
        lock (Live) Live.Remove(p);
    }

    public static void KillAll()
    {
        Process[] all;
        lock (Live) all = [.. Live];
        foreach (var p in all)
        {
            try
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
    }
}
