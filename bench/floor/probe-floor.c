/*
 * probe-floor: what probing alone costs on this machine, for figure 4 of `ipmp bench`.
 *
 * The daemon's CPU figure with 32 NICs includes the kernel's cost of every probe it sends and receives (and,
 * in a veth lab, of waking the switch port's NAPI thread). This program sends the same probes with nothing
 * else around them: one raw ICMP socket per NIC, bound to the NIC and its test address, one echo request
 * every PERIOD_US per socket with a random phase, sends rounded to a GRID_US grid, replies read only when the
 * program wakes to send (a second epoll, polled without waiting), one recvmsg per ready socket, and a socket
 * filter on the echo identifier as the daemon's. No engine, no logging. Its CPU share, measured on the same
 * lab right after the daemon's, is the floor that the daemon's is compared with.
 *
 * usage: probe-floor TARGET PERIOD_US GRID_US SECONDS IFNAME=SOURCE...
 * prints: sent N received M
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NICS 256

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static unsigned short checksum(const void *data, int len)
{
    unsigned int sum = 0;
    const unsigned short *p = data;
    for (; len > 1; len -= 2) sum += *p++;
    if (len) sum += *(const unsigned char *)p;
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    return (unsigned short)~sum;
}

int main(int argc, char **argv)
{
    if (argc < 6 || argc - 5 > MAX_NICS) {
        fprintf(stderr, "usage: probe-floor TARGET PERIOD_US GRID_US SECONDS IFNAME=SOURCE...\n");
        return 2;
    }
    struct sockaddr_in target = { .sin_family = AF_INET };
    if (inet_pton(AF_INET, argv[1], &target.sin_addr) != 1) { fprintf(stderr, "bad target %s\n", argv[1]); return 2; }
    long long period = atoll(argv[2]) * 1000LL, grid = atoll(argv[3]) * 1000LL, seconds = atoll(argv[4]);
    int n = argc - 5, fd[MAX_NICS];
    long long next[MAX_NICS];
    int poller = epoll_create1(0);
    long long start = now_ns();
    srand((unsigned)start);
    for (int i = 0; i < n; i++) {
        char *spec = argv[5 + i], *eq = strchr(spec, '=');
        if (!eq) { fprintf(stderr, "bad IFNAME=SOURCE: %s\n", spec); return 2; }
        *eq = 0;
        struct sockaddr_in source = { .sin_family = AF_INET };
        if (inet_pton(AF_INET, eq + 1, &source.sin_addr) != 1) { fprintf(stderr, "bad source %s\n", eq + 1); return 2; }
        fd[i] = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_ICMP);
        int one = 1, ttl = 1;
        struct icmp_filter filter = { ~(1u << ICMP_ECHOREPLY) };
        /* Only replies with this socket's identifier: X = IP header length; A = 16 bits at X + 4. */
        struct sock_filter code[] = {
            BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
            BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x7100u + (unsigned)i, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, 0xFFFFFFFFu),
            BPF_STMT(BPF_RET | BPF_K, 0),
        };
        struct sock_fprog program = { .len = sizeof code / sizeof code[0], .filter = code };
        if (fd[i] < 0
            || setsockopt(fd[i], SOL_SOCKET, SO_BINDTODEVICE, spec, strlen(spec) + 1)
            || setsockopt(fd[i], SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one)
            || setsockopt(fd[i], IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
            || setsockopt(fd[i], SOL_RAW, ICMP_FILTER, &filter, sizeof filter)
            || setsockopt(fd[i], SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program)
            || bind(fd[i], (struct sockaddr *)&source, sizeof source)) {
            fprintf(stderr, "%s: %s\n", spec, strerror(errno));
            return 1;
        }
        struct epoll_event e = { .events = EPOLLIN, .data.u32 = (unsigned)i };
        epoll_ctl(poller, EPOLL_CTL_ADD, fd[i], &e);
        next[i] = start + rand() % period;
    }
    long sent = 0, received = 0;
    char buffer[1500], control[256];
    while (now_ns() - start < seconds * 1000000000LL) {
        long long due = next[0];
        for (int i = 1; i < n; i++) if (next[i] < due) due = next[i];
        due = (due + grid - 1) / grid * grid;
        long long wait = due - now_ns();
        if (wait > 0) {
            struct timespec ts = { wait / 1000000000LL, wait % 1000000000LL };
            while (nanosleep(&ts, &ts) && errno == EINTR) {}
        }
        struct epoll_event ready[MAX_NICS];
        int k = epoll_wait(poller, ready, MAX_NICS, 0);
        for (int j = 0; j < k; j++) {
            struct iovec iov = { buffer, sizeof buffer };
            struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
            if (recvmsg(fd[ready[j].data.u32], &m, MSG_DONTWAIT) > 0) received++;
        }
        long long now = now_ns();
        for (int i = 0; i < n; i++) {
            if (next[i] > now) continue;
            struct icmphdr h = { .type = ICMP_ECHO };
            h.un.echo.id = htons((unsigned short)(0x7100 + i));
            h.un.echo.sequence = htons((unsigned short)sent);
            h.checksum = checksum(&h, sizeof h);
            if (sendto(fd[i], &h, sizeof h, 0, (struct sockaddr *)&target, sizeof target) > 0) sent++;
            next[i] += period;
        }
    }
    printf("sent %ld received %ld\n", sent, received);
    return 0;
}
