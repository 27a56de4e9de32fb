using System.Diagnostics;
using Ipmp.Lab;

namespace Ipmp.Integration.Tests.Lab;

/// <summary>
/// Every address the host namespace's kernel adds or deletes, as `ip monitor address` prints it: catches an
/// address that is added and removed again between two polls. Live once <see cref="Start"/> returns (a
/// sentinel address on lo has come through).
/// </summary>
internal sealed class AddressWatch : IDisposable
{
    private const string Sentinel = "127.0.0.99/8";
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(DateTime At, string Line)> _stamped = [];

    private AddressWatch(Process process) => _process = process;

    public static AddressWatch Start(NamespaceLab lab)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // -ts: each line carries the wall-clock time at which ip read the kernel's notification.
        foreach (var a in new[] { "-ts", "-n", lab.HostNs, "monitor", "address" }) psi.ArgumentList.Add(a);
        var watch = new AddressWatch(Process.Start(psi)!);
        watch._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            var m = System.Text.RegularExpressions.Regex.Match(e.Data, @"^\[([0-9T:.\-]+)\]\s?(.*)$");
            lock (watch._lines)
            {
                if (m.Success && DateTime.TryParse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AssumeLocal, out var at))
                {
                    watch._lines.Add(m.Groups[2].Value);
                    watch._stamped.Add((at.ToUniversalTime(), m.Groups[2].Value));
                }
                else
                {
                    watch._lines.Add(e.Data);   // a continuation line
                }
            }
        };
        watch._process.BeginOutputReadLine();
        watch._process.BeginErrorReadLine();
        try
        {
            var sw = Stopwatch.StartNew();
            Shell.Ip("-n", lab.HostNs, "addr", "add", Sentinel, "dev", "lo");
            while (!watch.Lines.Any(l => l.Contains("127.0.0.99")))
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(5))
                {
                    // The subscription may have come after the add: once more.
                    Shell.Ip("-n", lab.HostNs, "addr", "del", Sentinel, "dev", "lo");
                    Shell.Ip("-n", lab.HostNs, "addr", "add", Sentinel, "dev", "lo");
                    sw.Restart();
                }
                Thread.Sleep(2);
            }
            Shell.Ip("-n", lab.HostNs, "addr", "del", Sentinel, "dev", "lo");
        }
        catch
        {
            watch.Dispose();
            throw;
        }
        return watch;
    }

    public List<string> Lines
    {
        get
        {
            lock (_lines) return [.. _lines];
        }
    }

    /// <summary>Lines where <paramref name="address"/> was added (not deleted) on <paramref name="nic"/>.</summary>
    public List<string> Added(string address, string nic) =>
        Lines.Where(l => !l.StartsWith("Deleted", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.IsMatch(l, $@"^\d+: {nic}\s+inet6? {System.Text.RegularExpressions.Regex.Escape(address)}/")).ToList();

    /// <summary>When the kernel first reported <paramref name="address"/> added on <paramref name="nic"/> (UTC),
    /// as ip read it: a measurement that does not depend on how often a test polls.</summary>
    public DateTime? FirstAddedAt(string address, string nic)
    {
        var pattern = $@"^\d+: {nic}\s+inet6? {System.Text.RegularExpressions.Regex.Escape(address)}/";
        lock (_lines)
            foreach (var (at, line) in _stamped)
                if (!line.StartsWith("Deleted", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(line, pattern))
                    return at;
        return null;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
