namespace Ipmp.Cli.Install;

/// <summary>
/// The example configuration directory installed as <c>PREFIX/share/ipmp/examples</c> (and by the Debian package:
/// <c>mpathd</c> as <c>/etc/ipmp/mpathd</c>, all of them in <c>/usr/share/doc/ipmp/examples</c>): one group of
/// three NICs (two active with a data and a test address each, one standby), in the Solaris syntax. The files
/// are <c>dist/examples/</c> of the source tree, built into the program.
/// </summary>
internal static class ExampleConfig
{
    public static IReadOnlyList<(string Name, string Content)> Files { get; } = EmbeddedFiles.Under("examples/");
}

/// <summary>
/// Manual pages built into the program from <c>man/</c>: ipmp(8), ipmpstat(8), if_mpadm(8), mpathd(5). Installed
/// as <c>PREFIX/share/man/manN/NAME.N</c>.
/// </summary>
internal static class ManPages
{
    public static IReadOnlyList<(string Name, string Content)> Files { get; } = EmbeddedFiles.Under("man/");

    /// <summary>The section of a page file name (<c>ipmp.8</c> → <c>8</c>).</summary>
    public static string Section(string name) => name[(name.LastIndexOf('.') + 1)..];
}

/// <summary>Text files the project file embeds with a logical name <c>DIR/NAME</c>.</summary>
internal static class EmbeddedFiles
{
    public static IReadOnlyList<(string Name, string Content)> Under(string prefix)
    {
        var assembly = typeof(EmbeddedFiles).Assembly;
        var files = new List<(string, string)>();
        foreach (string resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            files.Add((resource[prefix.Length..], reader.ReadToEnd()));
        }
        return files;
    }
}
