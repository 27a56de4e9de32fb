namespace Ipmp.Host.Configuration;

/// <summary>Which hostname file a line came from: hostname.&lt;if&gt; is IPv4, hostname6.&lt;if&gt; is IPv6.</summary>
internal enum AddressFamilyKind
{
    V4,
    V6,
}
