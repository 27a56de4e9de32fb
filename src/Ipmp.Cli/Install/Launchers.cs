namespace Ipmp.Cli.Install;

/// <summary>
/// The scripts <c>ipmp install</c> puts on the path: <c>bin/ipmp</c> (runs the framework-dependent build in
/// <c>lib/ipmp</c>), and the illumos compatibility commands <c>bin/ipmpstat</c> and <c>sbin/if_mpadm</c>.
/// </summary>
internal static class Launchers
{
    /// <summary>
    /// <c>bin/ipmp</c>. It <c>exec</c>s the dotnet host so that under systemd the daemon keeps the service's
    /// main PID (Type=notify, ExecReload's <c>$MAINPID</c>) and its parent stays systemd.
    /// </summary>
    public static string Ipmp(string libDir, string dotnetHost) => $$"""
        #!/bin/sh
        # ipmp: IP network multipathing for Linux. Written by `ipmp install`: runs the build in {{libDir}}
        # with the .NET runtime found at install time, else the one on the PATH or in $DOTNET_ROOT.
        lib={{Quoting.Shell(libDir)}}
        # A NativeAOT build needs no runtime.
        if [ -x "$lib/ipmp" ] && [ ! -e "$lib/ipmp.dll" ]; then
          exec "$lib/ipmp" "$@"
        fi
        dotnet={{Quoting.Shell(dotnetHost)}}
        if [ ! -x "$dotnet" ]; then
          if [ -n "${DOTNET_ROOT:-}" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
            dotnet="$DOTNET_ROOT/dotnet"
          elif command -v dotnet >/dev/null 2>&1; then
            dotnet="$(command -v dotnet)"
          else
            echo "ipmp: the .NET 10 runtime (dotnet) was not found; install it or set DOTNET_ROOT" >&2
            exit 127
          fi
        fi
        exec "$dotnet" "$lib/ipmp.dll" "$@"

        """;

    /// <summary><c>bin/ipmpstat</c>: <c>ipmp stat "$@"</c>.</summary>
    public static string IpmpStat(string ipmpLauncher) => $"""
        #!/bin/sh
        # ipmpstat: the illumos command, as `ipmp stat`.
        exec {Quoting.Shell(ipmpLauncher)} stat "$@"

        """;

    /// <summary>
    /// <c>sbin/if_mpadm</c>: <c>ipmp if_mpadm "$@"</c>, which parses illumos' way (<c>-d IF</c> offline, <c>-r IF</c>
    /// online, else getopt's complaint and <c>Usage: if_mpadm [-d | -r] &lt;interface&gt;</c>, exit 1).
    /// </summary>
    public static string IfMpadm(string ipmpLauncher) => $"""
        #!/bin/sh
        # if_mpadm: the illumos command, as `ipmp offline` (-d) and `ipmp online` (-r).
        exec {Quoting.Shell(ipmpLauncher)} if_mpadm "$@"

        """;
}
