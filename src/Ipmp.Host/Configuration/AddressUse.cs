using System.Net;

namespace Ipmp.Host.Configuration;

/// <summary>An address that ends up configured, remembered to check that no address is configured twice.</summary>
internal sealed record AddressUse(IPAddress Address, string File, int Line, bool IsTest, string? Group);
