using System.Diagnostics;

namespace Ipmp.Lab;

/// <summary>Runs iproute2 and friends synchronously; a non-zero exit is an exception carrying stderr.</summary>
public static class Shell
{
    public static string Ip(params string[] args) => Run("ip", args);

    public static string Run(string file, params string[] args)
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
        if (!p.WaitForExit(15_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: timed out");
        }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr.Result.Trim()}");
        return stdout.Result;
    }

    public static bool TryIp(params string[] args)
    {
        try
        {
            Ip(args);
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
