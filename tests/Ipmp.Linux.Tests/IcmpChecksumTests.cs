using Ipmp.Linux.Icmp;

namespace Ipmp.Linux.Tests;

public class IcmpChecksumTests
{
    [Fact]
    public void Matches_the_RFC_1071_example()
    {
        // RFC 1071 section 3: words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement), checksum 220d.
        Assert.Equal(0x220d, IcmpChecksum.Compute([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]));
    }

    [Fact]
    public void Filled_message_verifies_including_odd_length()
    {
        byte[] echo = [8, 0, 0xAA, 0xBB, 0x12, 0x34, 0x00, 0x01, 1, 2, 3];
        IcmpChecksum.Fill(echo);
        Assert.True(IcmpChecksum.IsValid(echo));
        echo[9] ^= 0xFF;
        Assert.False(IcmpChecksum.IsValid(echo));
    }
}
