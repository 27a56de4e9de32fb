namespace Ipmp.Host.Configuration;

/// <summary>
/// Solaris ifconfig leaves an address down unless the command says <c>up</c>, and a down address carries
/// no traffic and cannot be a test address. The loader follows that: such addresses are left out of the
/// configuration, with a note for an explicit <c>down</c> (deliberate) and a warning when <c>up</c> is
/// simply missing (usually an oversight).
/// </summary>
internal static class UpStateCheck
{
    /// <summary>True when the address is up; otherwise reports why it is skipped.</summary>
    public static bool IsUp(ConfiguredAddress address, HostnameFile file, string what, DiagnosticBag diagnostics)
    {
        switch (address.Up)
        {
            case true:
                return true;
            case false:
                diagnostics.Info(file.DisplayName, address.UpDownLine,
                    $"{what} is configured 'down', so it is not used");
                return false;
            default:
                diagnostics.Warning(file.DisplayName, address.Line,
                    $"{what} is not marked 'up'; Solaris leaves such an address down, so it is not used (add 'up')");
                return false;
        }
    }
}
