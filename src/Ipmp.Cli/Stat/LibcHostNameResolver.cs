using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Ipmp.Cli.Stat;

/// <summary>
/// The default resolver: glibc's own <c>getnameinfo(NI_NOFQDN | NI_NAMEREQD)</c>, so the name is exactly
/// what illumos would print (reverse lookup through NSS; the domain dropped for hosts in the local domain).
/// Where libc cannot be called (not Linux), it falls back to <see cref="Dns.GetHostEntry(IPAddress)"/> and
/// keeps the first label when the name is in the local domain. Any failure gives null (numeric output).
/// </summary>
internal sealed class LibcHostNameResolver : IHostNameResolver
{
    public static LibcHostNameResolver Instance { get; } = new();

    private const int NI_NOFQDN = 4;      // glibc <netdb.h>
    private const int NI_NAMEREQD = 8;
    private const int NI_MAXHOST = 1025;
    private const ushort AF_INET = 2;     // Linux
    private const ushort AF_INET6 = 10;

    [DllImport("libc", EntryPoint = "getnameinfo")]
    private static extern int GetNameInfo(
        byte[] sockaddr, uint sockaddrLength, byte[] host, uint hostLength, IntPtr service, uint serviceLength, int flags);

    public string? TryGetHostName(IPAddress address)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                return GetNameInfoLinux(address);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // fall through to the managed resolver
            }
        }
        return ManagedLookup(address);
    }

    private static string? GetNameInfoLinux(IPAddress address)
    {
        byte[] raw = address.GetAddressBytes();
        byte[] sockaddr;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            sockaddr = new byte[16]; // sockaddr_in: family, port, addr, zero[8]
            BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AF_INET);
            raw.CopyTo(sockaddr, 4);
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            sockaddr = new byte[28]; // sockaddr_in6: family, port, flowinfo, addr[16], scope_id
            BinaryPrimitives.WriteUInt16LittleEndian(sockaddr, AF_INET6);
            raw.CopyTo(sockaddr, 8);
            BinaryPrimitives.WriteUInt32LittleEndian(sockaddr.AsSpan(24), (uint)address.ScopeId);
        }
        else
        {
            return null;
        }
        if (!BitConverter.IsLittleEndian)
            (sockaddr[0], sockaddr[1]) = (sockaddr[1], sockaddr[0]);

        byte[] host = new byte[NI_MAXHOST];
        if (GetNameInfo(sockaddr, (uint)sockaddr.Length, host, (uint)host.Length, IntPtr.Zero, 0, NI_NOFQDN | NI_NAMEREQD) != 0)
            return null;
        int end = Array.IndexOf(host, (byte)0);
        string name = Encoding.UTF8.GetString(host, 0, end < 0 ? host.Length : end);
        return name.Length == 0 ? null : name;
    }

    private static string? ManagedLookup(IPAddress address)
    {
        try
        {
            string name = Dns.GetHostEntry(address).HostName;
            return name.Length == 0 ? null : StripLocalDomain(name, LocalDomain());
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>NI_NOFQDN: the first label of <paramref name="name"/> if it lies in the local domain.</summary>
    internal static string StripLocalDomain(string name, string? localDomain)
    {
        int dot = name.IndexOf('.');
        if (dot <= 0 || string.IsNullOrEmpty(localDomain))
            return name;
        return string.Equals(name[(dot + 1)..].TrimEnd('.'), localDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
            ? name[..dot]
            : name;
    }

    private static string? LocalDomain()
    {
        try
        {
            string domain = System.Net.NetworkInformation.IPGlobalProperties.GetIPGlobalProperties().DomainName;
            if (domain.Length > 0)
                return domain;
            string host = Dns.GetHostName();
            int dot = host.IndexOf('.');
            return dot > 0 ? host[(dot + 1)..] : null;
        }
        catch (Exception e) when (e is SocketException or System.Net.NetworkInformation.NetworkInformationException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
