using System.Diagnostics;

namespace Ipmp.Integration.Tests.Lab;

/// <summary><c>promtool check metrics</c> (Debian's prometheus package; .ci/run installs it) on a scrape.</summary>
internal static class Promtool
{
    public static void Accepts(string exposition)
    {
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException("promtool is not installed (apt-get install prometheus; .ci/run does)");
        var psi = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(exposition);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"promtool check metrics: exit {p.ExitCode}\n{stdout.Result}{stderr}");
    }
}
