using System.CommandLine;
using Ipmp.Dev.Demo;

namespace Ipmp.Dev;

/// <summary><c>ipmp demo [--sim]</c>: a guided timeline of failures and repairs.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var sim = new Option<bool>("--sim") { Description = "Run on the in-process simulated link (no root needed)" };
        var fdt = new Option<int>("--fdt") { Description = "Failure detection time in ms", DefaultValueFactory = _ => 1000 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the simulation", DefaultValueFactory = _ => 1 };
        var command = new Command("demo", "Show IPMP at work: a cable pull, a dead switch port, repairs, a standby taking over")
        {
            sim, fdt, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            var fdtMs = parse.GetValue(fdt);
            if (fdtMs < 100)
            {
                Console.Error.WriteLine("ipmp demo: --fdt must be at least 100 ms");
                return 2;
            }
            if (!parse.GetValue(sim))
            {
                if (Environment.IsPrivilegedProcess)
                    return await new NamespaceDemo(Console.Out, fdtMs).RunAsync(ct);
                Console.Error.WriteLine("ipmp demo: not running as root, so no namespace lab; running the simulated link (--sim).");
            }
            return new SimDemo(Console.Out, TimeSpan.FromMilliseconds(fdtMs), parse.GetValue(seed)).Run();
        });
        return command;
    }
}
