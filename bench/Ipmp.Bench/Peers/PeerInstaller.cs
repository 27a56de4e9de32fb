using System.Diagnostics;

namespace Ipmp.Bench.Peers;

/// <summary>
/// Installs the peers from Debian if they are missing: `apt-get update` once, then
/// `apt-get install -y ifplugd keepalived iputils-arping`. Service start-up by the packages is refused
/// with policy-rc.d (created for the install if the system has none, removed afterwards), so nothing runs
/// outside the lab.
/// </summary>
public static class PeerInstaller
{
    public static readonly string[] Packages = ["ifplugd", "keepalived", "iputils-arping"];
    private const string PolicyRcD = "/usr/sbin/policy-rc.d";

    public static bool Present(string program) =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, program)))
        || File.Exists(Path.Combine("/usr/sbin", program)) || File.Exists(Path.Combine("/sbin", program));

    /// <summary>Returns what it did (for the report), or throws with the reason it could not.</summary>
    public static string EnsureInstalled(TextWriter log)
    {
        if (Present("ifplugd") && Present("keepalived") && Present("arping"))
            return "ifplugd, keepalived and arping were already installed";
        log.WriteLine("  installing peers: apt-get update; apt-get install -y " + string.Join(' ', Packages));
        var createdPolicy = false;
        if (!File.Exists(PolicyRcD))
        {
            File.WriteAllText(PolicyRcD, "#!/bin/sh\n# ipmp bench: no service starts while peers are installed\nexit 101\n");
            File.SetUnixFileMode(PolicyRcD, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            createdPolicy = true;
        }
        try
        {
            Environment.SetEnvironmentVariable("DEBIAN_FRONTEND", "noninteractive");
            Run("apt-get", "update", "-q");
            Run("apt-get", ["install", "-y", "-q", .. Packages]);
        }
        finally
        {
            if (createdPolicy) File.Delete(PolicyRcD);
        }
        return "installed with apt-get: " + string.Join(", ", Packages);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(300_000))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)}: timed out");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: exit {p.ExitCode}: {stderr.Result.Trim()}");
    }
}
