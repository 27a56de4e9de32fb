using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Ipmp.Cli.Commands;
using Ipmp.Cli.Install;

namespace Ipmp.Cli.Tests.Install;

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string tag = "ipmp-install-test")
    {
        Path = Directory.CreateTempSubdirectory(tag + "-").FullName;
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class InstallRun
{
    /// <summary>The directory this test assembly runs from: it holds ipmp.dll and its dependencies.</summary>
    public static string BuildDirectory => System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);

    /// <summary><c>ipmp install ARGS</c> through the verb, in process.</summary>
    public static async Task<(int Exit, string Out, string Err)> VerbAsync(params string[] args)
    {
        var root = new RootCommand("test") { InstallCommand.Create() };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = await root.Parse(["install", .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs an installed program (a launcher script) with no daemon behind <c>IPMP_SOCKET</c>.</summary>
    public static (int Exit, string Out, string Err) Program(string path, string socketPath, params string[] args)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        psi.Environment["IPMP_SOCKET"] = socketPath;
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{path} {string.Join(' ', args)} did not finish");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// The repository root: from this source file's compile-time path, else above the test output or the
    /// working directory (for builds with mapped source paths); null when none is found.
    /// </summary>
    public static string? SourceTree([CallerFilePath] string thisFile = "") =>
        (System.IO.Path.IsPathRooted(thisFile) ? Installer.FindSourceTree(System.IO.Path.GetDirectoryName(thisFile)!) : null)
        ?? Installer.FindSourceTree(BuildDirectory)
        ?? Installer.FindSourceTree(Environment.CurrentDirectory);

    /// <summary>A unit file as section → (key, value) pairs in order; comments and blank lines dropped.</summary>
    public static Dictionary<string, List<(string Key, string Value)>> ParseUnit(string text)
    {
        var sections = new Dictionary<string, List<(string, string)>>();
        List<(string, string)>? current = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (line[0] == '[')
            {
                current = [];
                sections.Add(line.Trim('[', ']'), current);
                continue;
            }
            int eq = line.IndexOf('=');
            Assert.True(eq > 0, $"not a key=value line: {line}");
            Assert.NotNull(current);
            current.Add((line[..eq], line[(eq + 1)..]));
        }
        return sections;
    }
}

/// <summary>
/// A fact that runs <c>systemd-analyze verify</c>: skipped, with the reason, when the tool is missing or
/// cannot verify even a trivial unit here (e.g. for lack of a running systemd).
/// </summary>
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        if (SystemdAnalyze.Path is null)
            Skip = "systemd-analyze is not installed (apt-get install systemd)";
        else if (SystemdAnalyze.Unusable is { } reason)
            Skip = "systemd-analyze verify does not work here: " + reason;
    }
}

internal static class SystemdAnalyze
{
    private static readonly Lazy<string?> LazyUnusable = new(Probe);

    public static string? Path { get; } = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);

    /// <summary>Why verifying a trivial, valid unit fails here; null when it works.</summary>
    public static string? Unusable => LazyUnusable.Value;

    public static (int Exit, string Output) Verify(string unitFile)
    {
        var psi = new ProcessStartInfo(Path!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("verify");
        psi.ArgumentList.Add("--man=no");
        psi.ArgumentList.Add(unitFile);
        psi.Environment["SYSTEMD_LOG_COLOR"] = "0";
        psi.Environment["SYSTEMD_PAGER"] = "";
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? Probe()
    {
        try
        {
            using var dir = new TempDir("ipmp-systemd-probe");
            string unit = dir["probe.service"];
            File.WriteAllText(unit, "[Unit]\nDescription=probe\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n");
            var (exit, output) = Verify(unit);
            return exit == 0 && output.Trim().Length == 0 ? null : $"exit {exit}: {output.Trim()}";
        }
        catch (Exception e)
        {
            return e.Message;
        }
    }
}
