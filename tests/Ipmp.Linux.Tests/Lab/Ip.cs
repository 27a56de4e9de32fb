using System.Diagnostics;

namespace Ipmp.Linux.Tests.Lab;

/// <summary>Runs iproute2 (and friends) synchronously; a non-zero exit is an exception with stderr.</summary>
internal static class Ip
{
    public static string Run(params string[] args) => Exec("ip", args);

    public static bool TryRun(params string[] args)
    {
        try
        {
            Exec("ip", args);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static string Exec(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(10_000))
        {
            p.Kill();
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: timed out");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr.Result.Trim()}");
        return stdout.Result;
    }
}
