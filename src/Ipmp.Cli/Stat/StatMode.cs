namespace Ipmp.Cli.Stat;

/// <summary>The ipmpstat output mode (exactly one of <c>-a -g -i -p -t</c>).</summary>
internal enum StatMode
{
    /// <summary><c>-a</c>: data addresses.</summary>
    Address,

    /// <summary><c>-g</c>: groups.</summary>
    Group,

    /// <summary><c>-i</c>: IP interfaces.</summary>
    Interface,

    /// <summary><c>-p</c>: probe stream.</summary>
    Probe,

    /// <summary><c>-t</c>: probe targets.</summary>
    Target,
}
