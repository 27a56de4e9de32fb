using Ipmp.Core.Configuration;
using Ipmp.Core.Model;
using Ipmp.Host.Configuration;

namespace Ipmp.Host.Tests;

/// <summary>Builds file sets for <see cref="ConfigDirectory.Parse"/> and asserts on the result tersely.</summary>
internal static class ConfigFiles
{
    public static ConfigLoadResult Parse(params (string Name, string Content)[] files) =>
        ConfigDirectory.Parse(files.ToDictionary(f => f.Name, f => f.Content));

    /// <summary>Parses and insists there are no errors, returning the configuration.</summary>
    public static IpmpConfig Valid(params (string Name, string Content)[] files)
    {
        var result = Parse(files);
        Assert.True(result.Config is not null, "unexpected errors:\n" + string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>Parses and insists there is exactly one error, returning it.</summary>
    public static ConfigDiagnostic SingleError(params (string Name, string Content)[] files)
    {
        var result = Parse(files);
        Assert.Null(result.Config);
        var errors = result.Errors.ToList();
        Assert.True(errors.Count == 1, "expected one error, got:\n" + string.Join("\n", errors));
        return errors[0];
    }

    public static InterfaceConfig Interface(this IpmpConfig config, string name) =>
        config.FindInterface(name) ?? throw new Xunit.Sdk.XunitException($"no interface {name}");

    public static GroupConfig Group(this IpmpConfig config, string name) =>
        config.Groups.SingleOrDefault(g => g.Name == name) ?? throw new Xunit.Sdk.XunitException($"no group {name}");

    public static IpPrefix P(string text) => IpPrefix.Parse(text);

    public static DaemonSettings Settings(string mpathd, out IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        var result = Parse(("mpathd", mpathd));
        diagnostics = result.Diagnostics;
        Assert.NotNull(result.Config);
        return result.Config!.Settings;
    }

    public static DaemonSettings Settings(string mpathd) => Settings(mpathd, out _);
}
