namespace Ipmp.Core.Tests.Scenarios;

public static class DebugDump
{
    public static string Dump(this Simulation.Simulation sim)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var i in sim.Snapshot().Interfaces)
            sb.AppendLine($"{i.Name} state={i.State} probe={i.Probe} link={i.Link} flags={i.Flags} v4={i.V4.TestAddress} {i.V4.Mode} [{string.Join(' ', i.V4.Targets)}] v6={i.V6.TestAddress} {i.V6.Mode}");
        foreach (var l in sim.Log) sb.AppendLine($"{l.At.TotalMilliseconds,10:F1} {l.Message.Text}");
        return sb.ToString();
    }
}
