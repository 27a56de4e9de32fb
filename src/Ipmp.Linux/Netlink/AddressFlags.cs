namespace Ipmp.Linux.Netlink;

/// <summary>IFA_F_* (linux/if_addr.h). Bits above 0xff exist only in the IFA_FLAGS u32 attribute.</summary>
[Flags]
public enum AddressFlags : uint
{
    None = 0,
    /// <summary>IFA_F_SECONDARY (IPv4) / IFA_F_TEMPORARY (IPv6 privacy address): the same bit.</summary>
    Secondary = 0x01,
    NoDad = 0x02,
    Optimistic = 0x04,
    DadFailed = 0x08,
    HomeAddress = 0x10,
    Deprecated = 0x20,
    Tentative = 0x40,
    Permanent = 0x80,
    ManageTempAddress = 0x100,
    NoPrefixRoute = 0x200,
    MulticastAutoJoin = 0x400,
    StablePrivacy = 0x800,
}
