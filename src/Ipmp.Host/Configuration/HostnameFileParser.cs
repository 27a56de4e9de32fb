namespace Ipmp.Host.Configuration;

/// <summary>
/// Reads one hostname.&lt;if&gt; / hostname6.&lt;if&gt; file: every logical line is one
/// <c>ifconfig &lt;if&gt; inet|inet6 &lt;line&gt;</c>, as the Solaris boot scripts run it.
/// The result records what was asked for; deciding what it means for IPMP (data or test address, group
/// interface or member) is <see cref="ConfigAssembler"/>'s job, because that needs all files.
/// </summary>
internal static class HostnameFileParser
{
    public static HostnameFile Parse(HostnameFileName name, string displayName, string content, DiagnosticBag diagnostics)
    {
        var file = new HostnameFile(name, displayName);
        var fileSlot = new ConfiguredAddress(isPrimary: true, line: 0);
        file.Addresses.Add(fileSlot);
        foreach (var command in HostnameFileTokenizer.Tokenize(displayName, content, diagnostics))
            new IfconfigCommandInterpreter(file, fileSlot, command, diagnostics).Run();
        return file;
    }
}
