using System.CommandLine;
using Ipmp.Dev.Package;

namespace Ipmp.Dev;

/// <summary><c>ipmp package [--output DIR] [--from-publish DIR] [--source DIR]</c>: the Debian package; see <see cref="Packager"/>.</summary>
internal static class PackageCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = "Where to put ipmp_<version>_<arch>.deb (default .build/package in the source tree)" };
        var fromPublish = new Option<string?>("--from-publish")
        {
            Description = "Package the executable of an earlier NativeAOT publish of this tree (DIR/ipmp) instead of publishing",
        };
        var source = new Option<string?>("--source") { Description = "The source tree (default: the one this program was built from)" };
        var command = new Command("package", "Build the Debian package (NativeAOT; needs dpkg-dev, debhelper, clang, lld)")
        {
            output, fromPublish, source,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new PackageOptions
            {
                SourceTree = parse.GetValue(source),
                OutputDirectory = parse.GetValue(output),
                PublishDirectory = parse.GetValue(fromPublish),
            };
            var result = await new Packager(options, Console.Out, Console.Error).RunAsync(ct);
            return result is null ? 1 : 0;
        });
        return command;
    }
}
