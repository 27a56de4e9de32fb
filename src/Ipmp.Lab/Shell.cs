using System.Diagnostics;

namespace Ipmp.Lab;

/// <summary>Runs iproute2 and friends synchronously; a non-zero exit is an exception carrying stderr.</summary>
public static class Shell
{
    public static string Ip(params string[] args) => Run("ip", args);

    public static string Run(string file, params string[] args)
    {
        var r = RunProcess(file, args);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {r.ExitCode}: {r.Error.Trim()}");
        return r.Stdout;
    }

    /// <summary>Runs to the end (15 s at most) whatever its exit code.</summary>
    public static ProcessResult RunProcess(string file, params string[] args)
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
            p.WaitForExit();
            return new ProcessResult(-1, stdout.Result, $"timed out after 15 s; stderr: {stderr.Result}");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
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

public sealed record ProcessResult(int ExitCode, string Stdout, string Error)
{
    public string Output => Stdout + Error;
}
