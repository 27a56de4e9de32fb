using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Bench.Load;

/// <summary>
/// A large routing table in another table of the host namespace (200,000 routes in table 100, as a BGP
/// full table would be) and, while it runs, churn: a block of those routes deleted and re-added over and
/// over by `ip -batch`, so that route notifications stream in the whole time. The daemon must ignore
/// other tables cheaply and never let route work delay an address move.
/// </summary>
public sealed class RouteChurn : IDisposable
{
    public const int Table = 100;
    private readonly string _ns;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipmp-churn-").FullName;
    private readonly Thread _thread;
    private volatile bool _stop;

    public long Batches { get; private set; }

    public RouteChurn(string ns, int routes, int churnBlock)
    {
        _ns = ns;
        var all = Path.Combine(_dir, "all");
        File.WriteAllLines(all, Enumerable.Range(0, routes).Select(i => $"route add {Prefix(i)} dev lo table {Table}"));
        // 200,000 routes take a while (tens of seconds on a busy machine): not through Shell's 15 s bound.
        using (var load = System.Diagnostics.Process.Start("ip", ["-n", ns, "-batch", all]))
        {
            if (!load.WaitForExit(TimeSpan.FromMinutes(5))) load.Kill();
            if (load.ExitCode != 0) throw new InvalidOperationException($"loading {routes} routes failed: exit {load.ExitCode}");
        }
        var del = Path.Combine(_dir, "del");
        var add = Path.Combine(_dir, "add");
        File.WriteAllLines(del, Enumerable.Range(0, churnBlock).Select(i => $"route del {Prefix(i)} dev lo table {Table}"));
        File.WriteAllLines(add, Enumerable.Range(0, churnBlock).Select(i => $"route add {Prefix(i)} dev lo table {Table}"));
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                Shell.RunProcess("ip", "-n", _ns, "-batch", del);
                Shell.RunProcess("ip", "-n", _ns, "-batch", add);
                Batches++;
            }
        }) { IsBackground = true, Name = "route churn" };
        _thread.Start();
    }

    /// <summary>10.0.0.0/8 split into /32s: route i is 10.(i/65536).(i/256%256).(i%256)/32.</summary>
    private static string Prefix(int i) => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}/32";

    public static int CountRoutes(string ns) =>
        Shell.Run("ip", "-n", ns, "route", "show", "table", Table.ToString()).Count(c => c == '\n');

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(30));
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
