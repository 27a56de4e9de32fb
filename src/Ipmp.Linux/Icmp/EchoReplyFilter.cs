using System.Net.Sockets;

namespace Ipmp.Linux.Icmp;

/// <summary>
/// A classic BPF socket filter (SO_ATTACH_FILTER) that lets through only ICMP messages whose echo identifier is
/// ours. A raw socket receives every echo reply addressed to its test address, whoever asked for it; without
/// this, a flood of replies to someone else's pings (or a hostile flood) fills the socket's queue ahead of
/// our probes' replies, and every one of them costs the daemon a read. With it, the kernel drops them.
/// The message type is already filtered by ICMP_FILTER / ICMP6_FILTER.
/// </summary>
public static class EchoReplyFilter
{
    // linux/filter.h, linux/bpf_common.h
    private const ushort BPF_LD = 0x00, BPF_LDX = 0x01, BPF_JMP = 0x05, BPF_RET = 0x06;
    private const ushort BPF_H = 0x08, BPF_B = 0x10, BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MSH = 0xa0;
    private const ushort BPF_JEQ = 0x10, BPF_K = 0x00;
    private const uint Accept = 0xFFFF_FFFF, Drop = 0;
    private const int SO_ATTACH_FILTER = 26;

    /// <summary>struct sock_filter: one instruction.</summary>
    public readonly record struct Instruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

    /// <summary>
    /// The program. An IPv4 raw socket's filter sees the packet from its IP header (the ICMP header starts at
    /// 4 × IHL); an ICMPv6 raw socket's sees it from the ICMPv6 header. The identifier is at offset 4 of
    /// either. A packet too short to hold it fails the load, and the program then drops it.
    /// </summary>
    public static Instruction[] Program(AddressFamily family, ushort identifier) => family == AddressFamily.InterNetworkV6
        ? [
            new(BPF_LD | BPF_H | BPF_ABS, 0, 0, 4),
            new(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, identifier),
            new(BPF_RET | BPF_K, 0, 0, Accept),
            new(BPF_RET | BPF_K, 0, 0, Drop),
        ]
        : [
            new(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0),   // X = 4 * (P[0] & 0xf): the IP header's length
            new(BPF_LD | BPF_H | BPF_IND, 0, 0, 4),    // A = the 16 bits at X + 4
            new(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, identifier),
            new(BPF_RET | BPF_K, 0, 0, Accept),
            new(BPF_RET | BPF_K, 0, 0, Drop),
        ];

    /// <summary>Attaches (or replaces) the filter on <paramref name="socket"/>.</summary>
    public static unsafe void Attach(Socket socket, ushort identifier)
    {
        var program = Program(socket.AddressFamily, identifier);
        // struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }, 8 bytes each.
        Span<byte> code = stackalloc byte[program.Length * 8];
        for (var i = 0; i < program.Length; i++)
        {
            var at = code[(i * 8)..];
            BitConverter.TryWriteBytes(at, program[i].Code);
            at[2] = program[i].JumpTrue;
            at[3] = program[i].JumpFalse;
            BitConverter.TryWriteBytes(at[4..], program[i].K);
        }
        fixed (byte* filter = code)
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }: 16 bytes on 64-bit.
            Span<byte> fprog = stackalloc byte[16];
            fprog.Clear();
            BitConverter.TryWriteBytes(fprog, (ushort)program.Length);
            BitConverter.TryWriteBytes(fprog[8..], (ulong)(nuint)filter);
            socket.SetRawSocketOption(SockOpt.SOL_SOCKET, SO_ATTACH_FILTER, fprog);
        }
    }
}
