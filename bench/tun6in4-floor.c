/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the kernel alone spends carrying 6in4 packets over a link, through
 * the very calls tun6in4's user-mode data plane makes for it: sendmmsg()
 * of complete IPv4 protocol-41 packets on a packet socket that skips the
 * queueing discipline, recvmmsg() on a connected raw socket with
 * IP_PKTINFO, batches of 64, the receiver napping 500 us once drained.
 * No tunnel logic, no TUN device, no TCP: a floor under the daemons' CPU
 * per GB that no change to their own code can go below.
 *
 *   tun6in4-floor send DEV MAC SRC DST SECS PPS   (prints CPU us per packet)
 *   tun6in4-floor recv REMOTE LOCAL SECS          (idem) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 64, LEN = 1500, CAP = 65600, CTL = 64 };

static unsigned char buf[BATCH][CAP];
static unsigned char ctl[BATCH][CTL];
static struct mmsghdr msg[BATCH];
static struct iovec iov[BATCH];

static double mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static int die(const char *what)
{
	perror(what);
	return 2;
}

static void ip4_packet(unsigned char *p, const char *src, const char *dst)
{
	unsigned sum = 0;

	memset(p, 0, LEN);
	p[0] = 0x45;
	p[2] = LEN >> 8;
	p[3] = LEN & 0xff;
	p[6] = 0x40;
	p[8] = 64;
	p[9] = 41;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	for (int k = 0; k < 20; k += 2)
		sum += (unsigned)(p[k] << 8 | p[k + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	p[10] = (unsigned char)(~sum >> 8);
	p[11] = (unsigned char)~sum;
	/* An IPv6 header with No Next Header: nothing inside is parsed. */
	p[20] = 0x60;
	p[24] = (LEN - 60) >> 8;
	p[25] = (LEN - 60) & 0xff;
	p[26] = 59;
	p[27] = 64;
}

static int sender(char **argv)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM, 0), one = 1, sb = 8 << 20;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				  .sll_halen = 6 };
	unsigned char *a = to.sll_addr;
	double secs = atof(argv[6]), pps = atof(argv[7]);
	unsigned long long n = 0;

	if (fd < 0)
		return die("packet socket");
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sb, sizeof(sb));
	to.sll_ifindex = (int)if_nametoindex(argv[2]);
	if (!to.sll_ifindex || sscanf(argv[3], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &a[0], &a[1], &a[2],
				      &a[3], &a[4], &a[5]) != 6 || pps <= 0)
		return fprintf(stderr, "tun6in4-floor: bad DEV, MAC or PPS\n"), 1;
	for (int i = 0; i < BATCH; i++) {
		ip4_packet(buf[i], argv[4], argv[5]);
		iov[i] = (struct iovec){ buf[i], LEN };
		msg[i].msg_hdr = (struct msghdr){ .msg_name = &to, .msg_namelen = sizeof(to),
						  .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	double t0 = mono(), c0 = cpu();
	while (mono() - t0 < secs) {
		int r = sendmmsg(fd, msg, BATCH, 0);
		if (r > 0)
			n += (unsigned)r;
		/* Paced in bursts of four batches, about as a TSO sender's
		 * 64 KiB reads arrive, so the receiver keeps up. */
		double due = t0 + (double)n / pps;
		if (n % (4 * BATCH) == 0)
			while (mono() < due) {
				struct timespec ts = { 0, (long)((due - mono()) * 1e9) };
				nanosleep(&ts, NULL);
			}
	}
	printf("%llu %.3f\n", n, n ? (cpu() - c0) / (double)n * 1e6 : 0.0);
	return 0;
}

static int receiver(char **argv)
{
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_IPV6), one = 1, rb = 8 << 20, napped = 0;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 0, 200000 };
	double secs = atof(argv[4]);
	unsigned long long n = 0;

	if (fd < 0)
		return die("raw socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof(rb));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (inet_pton(AF_INET, argv[3], &sa.sin_addr) != 1 || bind(fd, (void *)&sa, sizeof(sa)) < 0 ||
	    inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 || connect(fd, (void *)&sa, sizeof(sa)) < 0)
		return die("bind/connect");
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], CAP };
		msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
						  .msg_control = ctl[i], .msg_controllen = CTL };
	}
	double t0 = mono(), c0 = cpu();
	while (mono() - t0 < secs) {
		int r = recvmmsg(fd, msg, BATCH, MSG_DONTWAIT, NULL);
		if (r < 0 && !napped) {
			nanosleep(&(struct timespec){ 0, 500000 }, NULL);
			napped = 1;
			continue;
		}
		napped = 0;
		if (r < 0)
			r = recvmmsg(fd, msg, BATCH, MSG_WAITFORONE, NULL);
		for (int i = 0; i < r; i++)
			msg[i].msg_hdr.msg_controllen = CTL;
		if (r > 0)
			n += (unsigned)r;
	}
	printf("%llu %.3f\n", n, n ? (cpu() - c0) / (double)n * 1e6 : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 8 && !strcmp(argv[1], "send"))
		return sender(argv);
	if (argc == 5 && !strcmp(argv[1], "recv"))
		return receiver(argv);
	fprintf(stderr, "usage: tun6in4-floor send DEV MAC SRC DST SECS PPS\n"
			"       tun6in4-floor recv REMOTE LOCAL SECS\n");
	return 1;
}
