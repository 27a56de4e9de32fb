using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ipmp.Host.Configuration;

/// <summary>
/// Applies the words of one ifconfig command line to a <see cref="HostnameFile"/>, left to right like
/// Solaris ifconfig. Address keywords (<c>up</c>, <c>netmask</c>, <c>-failover</c>...) act on the current
/// target: the file's own address slot at the start of every line, the new logical address after
/// <c>addif ADDR</c>. Interface keywords (<c>group</c>, <c>standby</c>, <c>ipmp</c>) act on the interface.
/// </summary>
internal sealed class IfconfigCommandInterpreter(
    HostnameFile file, ConfiguredAddress fileSlot, IfconfigCommandLine command, DiagnosticBag diagnostics)
{
    /// <summary>LIFGRNAMSIZ is 32 including the NUL.</summary>
    public const int MaxGroupNameLength = 31;

    private readonly IReadOnlyList<IfconfigToken> _tokens = command.Tokens;
    private readonly HashSet<ConfiguredAddress> _addressedInThisCommand = [];
    private ConfiguredAddress _target = fileSlot;
    private int _next;

    private bool IsV6 => file.Name.Family == AddressFamilyKind.V6;
    private string FamilyName => IsV6 ? "IPv6" : "IPv4";

    public void Run()
    {
        while (_next < _tokens.Count) Apply(_tokens[_next++]);
    }

    private void Apply(IfconfigToken token)
    {
        switch (token.Text)
        {
            case "inet" or "inet6":
                if ((token.Text == "inet6") != IsV6)
                    Error(token, $"'{token.Text}' does not belong in {file.Name.FileName}, which configures {FamilyName}");
                break;
            case "plumb":
                break; // The interface is plumbed by being configured at all.
            case "ipmp":
                if (file.Name.LogicalUnit is not null)
                    Error(token, "'ipmp' applies to a whole interface, not to a logical interface (if:N)");
                else if (file.IpmpLine == 0)
                    file.IpmpLine = token.Line;
                break;
            case "up" or "down":
                Touch(token);
                _target.Up = token.Text == "up";
                _target.UpDownLine = token.Line;
                break;
            case "deprecated" or "-deprecated":
                Touch(token);
                _target.Deprecated = token.Text == "deprecated";
                break;
            case "-failover" or "failover":
                Touch(token);
                _target.NoFailover = token.Text == "-failover";
                _target.NoFailoverLine = token.Line;
                break;
            case "standby" or "-standby":
                file.Standby = token.Text == "standby";
                file.StandbyLine = token.Line;
                break;
            case "group":
                ApplyGroup(token);
                break;
            case "addif":
                ApplyAddif(token);
                break;
            case "set":
                if (NextAddress(token) is { } set) SetAddress(set.Token, set.Parsed);
                break;
            case "netmask":
                ApplyNetmask(token);
                break;
            case "broadcast":
                ApplyBroadcast(token);
                break;
            case "mtu":
                ApplyNumber(token, "an MTU", 68, 65535);
                break;
            case var w when IfconfigKeywords.IgnoredFlags.Contains(w):
                break;
            case var w when IfconfigKeywords.IgnoredWithArgument.Contains(w):
                ApplyNumber(token, "a number", 0, int.MaxValue);
                break;
            case var w when IfconfigKeywords.Unsupported.Contains(w):
                Error(token, $"'{w}' is a Solaris ifconfig keyword that this loader does not support");
                break;
            default:
                ApplyAddressOrUnknown(token);
                break;
        }
    }

    /// <summary>
    /// Gives an address slot that has no address yet a line to be reported at (hostname6 "-failover up"
    /// configures the link-local address without ever writing one).
    /// </summary>
    private void Touch(IfconfigToken token)
    {
        if (_target.Line == 0) _target.Line = token.Line;
    }

    private void ApplyAddressOrUnknown(IfconfigToken token)
    {
        var parsed = AddressToken.Parse(token.Text);
        switch (parsed.Kind)
        {
            case AddressToken.Kind.Valid:
                SetAddress(token, parsed);
                break;
            case AddressToken.Kind.Malformed:
                Error(token, $"expected an address, found {parsed.Problem}");
                break;
            default:
                var hint = token.SpansLines
                    ? "; a '\\' continuation joins lines without adding a blank, so put one before the '\\'"
                    : "; host names are not resolved";
                Error(token, $"unknown keyword '{token.Text}' (expected an address or an ifconfig keyword{hint})");
                break;
        }
    }

    private void ApplyGroup(IfconfigToken keyword)
    {
        if (NextArgument(keyword, "a group name") is not { } name) return;
        if (IfconfigKeywords.IsKnown(name.Text))
        {
            _next--; // Let the keyword be read as a keyword, so one mistake gives one message.
            Error(name, $"expected a group name after 'group', found '{name.Text}'");
            return;
        }
        // The boot script passes quotes through, so `group ""` reaches ifconfig as two quote characters;
        // Solaris ifconfig documents `group ""` as "leave the group", so honour that reading.
        var group = name.Text is "\"\"" or "''" ? "" : name.Text;
        if (group.Length > MaxGroupNameLength)
        {
            Error(name, $"group name '{group}' is too long (at most {MaxGroupNameLength} characters)");
            return;
        }
        file.Group = group;
        file.GroupLine = name.Line;
    }

    private void ApplyAddif(IfconfigToken keyword)
    {
        if (NextAddress(keyword) is not { } next) return;
        _target = new ConfiguredAddress(isPrimary: false, line: next.Token.Line);
        file.Addresses.Add(_target);
        SetAddress(next.Token, next.Parsed);
    }

    private void ApplyNetmask(IfconfigToken keyword)
    {
        if (IsV6)
        {
            Error(keyword, "'netmask' is IPv4-only; give IPv6 prefix lengths as ADDRESS/LENGTH");
            SkipArgument();
            return;
        }
        if (NextArgument(keyword, "a netmask") is not { } value) return;
        // '+' asks Solaris to look the mask up in /etc/netmasks; see ConfigAssembler.DefaultPrefixLength.
        if (value.Text == "+") return;
        if (NetmaskParser.TryParse(value.Text, out var problem) is { } length)
            _target.PrefixLength = length;
        else
            Error(value, problem!);
    }

    private void ApplyBroadcast(IfconfigToken keyword)
    {
        if (IsV6)
        {
            Error(keyword, "'broadcast' is IPv4-only; IPv6 has no broadcast address");
            SkipArgument();
            return;
        }
        if (NextArgument(keyword, "a broadcast address or '+'") is not { } value) return;
        // Accepted and ignored: the kernel derives the broadcast address from the prefix on Linux too.
        if (value.Text != "+" && AddressToken.Parse(value.Text) is not { Kind: AddressToken.Kind.Valid, IsV6: false, PrefixLength: null })
            Error(value, $"expected a broadcast address or '+' after 'broadcast', found '{value.Text}'");
    }

    private void ApplyNumber(IfconfigToken keyword, string what, int min, int max)
    {
        if (NextArgument(keyword, what) is not { } value) return;
        if (!int.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            Error(value, $"expected {what} ({min} to {max}) after '{keyword.Text}', found '{value.Text}'");
        // The value is not used: the loader does not configure links (see IfconfigKeywords).
    }

    private void SetAddress(IfconfigToken token, AddressToken.Parsed parsed)
    {
        var address = parsed.Address!;
        if (parsed.IsV6 != IsV6)
        {
            var other = IsV6 ? HostnameFileName.V4Prefix : HostnameFileName.V6Prefix;
            Error(token, $"expected an {FamilyName} address, found '{token.Text}' ({(parsed.IsV6 ? "IPv6" : "IPv4")} addresses go in {other}{file.Name.Interface})");
            return;
        }
        if (NotUnicastReason(address) is { } reason)
        {
            Error(token, $"'{token.Text}' is {reason}; expected a unicast address");
            return;
        }
        if (_addressedInThisCommand.Contains(_target))
        {
            // In ifconfig a second address on one command is the far end of a point-to-point link.
            Error(token, $"a second address '{token.Text}' in one command would be a point-to-point destination, which is not supported; use 'addif {token.Text}' to add an address");
            return;
        }
        if (_target.Address is { } earlier)
            diagnostics.Warning(file.DisplayName, token.Line,
                $"'{token.Text}' replaces {earlier} set on line {_target.Line}: every line is a separate ifconfig command on the interface; use 'addif' to add an address");

        _addressedInThisCommand.Add(_target);
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            // Solaris writes 0.0.0.0 for "no address yet"; keep the slot empty.
            _target.Address = null;
            return;
        }
        _target.Address = address;
        _target.Line = token.Line;
        if (parsed.PrefixLength is { } length) _target.PrefixLength = length;
    }

    private static string? NotUnicastReason(IPAddress address)
    {
        if (IPAddress.IsLoopback(address)) return "a loopback address";
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6Multicast ? "a multicast address" : null;
        var first = address.GetAddressBytes()[0];
        return first >= 240 ? "a reserved or broadcast address" : first >= 224 ? "a multicast address" : null;
    }

    /// <summary>The address word after <paramref name="keyword"/>; reports and returns null if there is none.</summary>
    private (IfconfigToken Token, AddressToken.Parsed Parsed)? NextAddress(IfconfigToken keyword)
    {
        if (NextArgument(keyword, "an address") is not { } word) return null;
        var parsed = AddressToken.Parse(word.Text);
        if (parsed.Kind == AddressToken.Kind.Valid) return (word, parsed);

        if (IfconfigKeywords.IsKnown(word.Text))
        {
            _next--; // Read the keyword as a keyword next: one mistake, one message.
            Error(word, $"expected an address after '{keyword.Text}', found '{word.Text}'");
        }
        else if (parsed.Kind == AddressToken.Kind.Malformed)
        {
            Error(word, $"expected an address after '{keyword.Text}', found {parsed.Problem}");
        }
        else
        {
            Error(word, $"expected an address after '{keyword.Text}', found '{word.Text}' (host names are not resolved)");
        }
        return null;
    }

    private IfconfigToken? NextArgument(IfconfigToken keyword, string what)
    {
        if (_next < _tokens.Count) return _tokens[_next++];
        Error(keyword, $"expected {what} after '{keyword.Text}', found end of line");
        return null;
    }

    /// <summary>After a keyword that is wrong here, skip its argument so it is not reported as well.</summary>
    private void SkipArgument()
    {
        if (_next < _tokens.Count && !IfconfigKeywords.IsKnown(_tokens[_next].Text)) _next++;
    }

    private void Error(IfconfigToken at, string message) => diagnostics.Error(file.DisplayName, at.Line, message);
}
