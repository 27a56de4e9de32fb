using System.Runtime.InteropServices;

namespace Ipmp.Bench;

/// <summary>What the figures were measured on.</summary>
public static class MachineInfo
{
    public static Dictionary<string, string> Collect()
    {
        var cpu = "unknown";
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
        }
        catch (IOException)
        {
        }
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        var memKb = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) ?? "";
        return new Dictionary<string, string>
        {
            ["nproc"] = Environment.ProcessorCount.ToString(),
            ["kernel"] = kernel,
            ["cpu"] = cpu,
            ["memory"] = memKb.Replace("MemTotal:", "").Trim(),
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["os"] = RuntimeInformation.OSDescription,
        };
    }
}
