/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy-load: Neighbor Solicitation load generator for bench/30-ndproxy.sh.
 *
 *   ndproxy-load -i IFACE -s SRC -t BASE [-k K] [-r RATE] [-c COUNT] [-w MS]
 *
 * Sends COUNT NS at RATE per second on IFACE (an AF_PACKET socket, paced
 * with ppoll, sent in batches), from SRC, for the K targets BASE,
 * BASE+1, ... in turn, and times the NA for each: one JSON line with
 * sent, answered, loss and latency percentiles.  Answers are matched to
 * the oldest unanswered ask of their target; an NS still unanswered MS
 * milliseconds after the last was sent, or the oldest of more than 8
 * unanswered asks of one target, counts as lost. */
#define _GNU_SOURCE
#include "ndproxy.h"
#include "v6sys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define OUTSTANDING 8

static int64_t now_ns(void)
{
	return v6_mono_ns();
}

static void die(const char *what)
{
	fprintf(stderr, "ndproxy-load: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static struct in6_addr nth(const struct in6_addr *base, uint32_t i)
{
	struct in6_addr a = *base;
	uint32_t low = (uint32_t)a.s6_addr[12] << 24 | a.s6_addr[13] << 16 | a.s6_addr[14] << 8 |
		       a.s6_addr[15];
	low += i;
	a.s6_addr[12] = (uint8_t)(low >> 24);
	a.s6_addr[13] = (uint8_t)(low >> 16);
	a.s6_addr[14] = (uint8_t)(low >> 8);
	a.s6_addr[15] = (uint8_t)low;
	return a;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	struct in6_addr src, base;
	bool have_src = false, have_base = false;
	uint32_t k = 1024, count = 1000, wait_ms = 200;
	double rate = 1000;
	int c;

	while ((c = getopt(argc, argv, "i:s:t:k:r:c:w:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 's': have_src = inet_pton(AF_INET6, optarg, &src) == 1; break;
		case 't': have_base = inet_pton(AF_INET6, optarg, &base) == 1; break;
		case 'k': k = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'r': rate = strtod(optarg, NULL); break;
		case 'c': count = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'w': wait_ms = (uint32_t)strtoul(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (!ifname || !have_src || !have_base || !k || !count || rate <= 0 || rate > 5e6 ||
	    count > 50000000) {
usage:
		fprintf(stderr, "usage: ndproxy-load -i IFACE -s SRC -t BASE [-k K] [-r RATE] "
				"[-c COUNT] [-w MS]\n");
		return 1;
	}

	int ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		die(ifname);
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IPV6));
	if (fd < 0)
		die("packet socket");
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	uint8_t mac[6];
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	/* Only NAs come back to us: ICMPv6 (no extension headers) type 136. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_ICMPV6, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 40),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ND_NEIGHBOR_ADVERT, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
				   .sll_ifindex = ifindex };
	int one = 1, rcvbuf = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("packet socket setup");
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* Arrival times stamped by the kernel: our own scheduling delays do
	 * not count against the daemon under test. */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));

	/* One prepared NS per target, to its solicited-node group. */
	const size_t plen = 40 + NDP_NS_ICMP_LEN;
	uint8_t (*pkts)[40 + NDP_NS_ICMP_LEN] = calloc(k, sizeof(*pkts));
	struct sockaddr_ll *to = calloc(k, sizeof(*to));
	/* Per target, the times of the asks not answered yet, oldest first:
	 * an answer is matched to the oldest, so a slow answer is late, not
	 * lost.  Only more than OUTSTANDING unanswered asks of one target
	 * count as lost before the end. */
	int64_t(*sent_at)[OUTSTANDING] = calloc(k, sizeof(*sent_at));
	uint8_t *head = calloc(k, 1), *pending = calloc(k, 1);
	double *lat = calloc(count, sizeof(*lat));
	if (!pkts || !to || !sent_at || !lat || !head || !pending)
		die("calloc");
	for (uint32_t i = 0; i < k; i++) {
		struct in6_addr t = nth(&base, i), sn;
		uint8_t *p = pkts[i];
		ndp_solicited_node(&t, &sn);
		p[0] = 0x60;
		p[5] = NDP_NS_ICMP_LEN;
		p[6] = IPPROTO_ICMPV6;
		p[7] = 255;
		memcpy(p + 8, &src, 16);
		memcpy(p + 24, &sn, 16);
		ndp_build_ns_icmp(p + 40, &t, mac);
		uint16_t sum = v6_csum6(&src, &sn, IPPROTO_ICMPV6, p + 40, NDP_NS_ICMP_LEN);
		p[42] = (uint8_t)(sum >> 8);
		p[43] = (uint8_t)sum;
		to[i] = (struct sockaddr_ll){ .sll_family = AF_PACKET,
					      .sll_protocol = htons(ETH_P_IPV6),
					      .sll_ifindex = ifindex, .sll_halen = 6,
					      .sll_addr = { 0x33, 0x33, 0xff, sn.s6_addr[13],
							    sn.s6_addr[14], sn.s6_addr[15] } };
	}

	struct mmsghdr out[BATCH], in[BATCH];
	struct iovec oiov[BATCH], iiov[BATCH];
	static uint8_t ibuf[BATCH][256];
	static char cbuf[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	uint32_t next = 0, answered = 0, nlat = 0, overrun = 0, stray = 0;
	int64_t start = now_ns(), end = 0;
	const double gap = 1e9 / rate;

	for (;;) {
		int64_t t = now_ns();
		/* Send everything that is due, in batches. */
		while (next < count && start + (int64_t)(next * gap) <= t) {
			unsigned n = 0;
			while (n < BATCH && next + n < count && start + (int64_t)((next + n) * gap) <= t) {
				uint32_t slot = (next + n) % k;
				oiov[n] = (struct iovec){ pkts[slot], plen };
				memset(&out[n], 0, sizeof(out[n]));
				out[n].msg_hdr.msg_name = &to[slot];
				out[n].msg_hdr.msg_namelen = sizeof(to[slot]);
				out[n].msg_hdr.msg_iov = &oiov[n];
				out[n].msg_hdr.msg_iovlen = 1;
				n++;
			}
			/* Stamped before sending: on veth the whole answer may
			 * happen before sendmmsg returns. */
			int64_t ts = now_ns();
			int r = sendmmsg(fd, out, n, 0);
			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					break;
				die("sendmmsg");
			}
			for (int i = 0; i < r; i++) {
				uint32_t slot = (next + (uint32_t)i) % k;
				if (pending[slot] == OUTSTANDING) {
					overrun++; /* the oldest ask is given up */
					head[slot] = (uint8_t)((head[slot] + 1) % OUTSTANDING);
					pending[slot]--;
				}
				sent_at[slot][(head[slot] + pending[slot]) % OUTSTANDING] = ts;
				pending[slot]++;
			}
			next += (uint32_t)r;
		}
		if (next == count && !end)
			end = now_ns() + (int64_t)wait_ms * 1000000;
		/* Collect answers. */
		for (;;) {
			for (int i = 0; i < BATCH; i++) {
				iiov[i] = (struct iovec){ ibuf[i], sizeof(ibuf[i]) };
				memset(&in[i], 0, sizeof(in[i]));
				in[i].msg_hdr.msg_iov = &iiov[i];
				in[i].msg_hdr.msg_iovlen = 1;
				in[i].msg_hdr.msg_control = cbuf[i];
				in[i].msg_hdr.msg_controllen = sizeof(cbuf[i]);
			}
			int r = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
			if (r <= 0)
				break;
			/* SO_TIMESTAMPNS is CLOCK_REALTIME: converted through one
			 * pair of readings per batch. */
			struct timespec rt;
			clock_gettime(CLOCK_REALTIME, &rt);
			int64_t mono = now_ns(), real = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec;
			for (int i = 0; i < r; i++) {
				struct in6_addr tg;
				int64_t ts = mono;
				struct cmsghdr *cm = CMSG_FIRSTHDR(&in[i].msg_hdr);
				if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec k;
					memcpy(&k, CMSG_DATA(cm), sizeof(k));
					ts = mono - (real - ((int64_t)k.tv_sec * 1000000000 + k.tv_nsec));
				}
				if (in[i].msg_len < 64)
					continue;
				memcpy(&tg, ibuf[i] + 48, 16);
				uint32_t lo = (uint32_t)tg.s6_addr[12] << 24 | tg.s6_addr[13] << 16 |
					      tg.s6_addr[14] << 8 | tg.s6_addr[15];
				struct in6_addr b = nth(&base, 0);
				uint32_t blo = (uint32_t)b.s6_addr[12] << 24 | b.s6_addr[13] << 16 |
					       b.s6_addr[14] << 8 | b.s6_addr[15];
				uint32_t slot = lo - blo;
				if (memcmp(&tg, &b, 12) || slot >= k || !pending[slot]) {
					stray++;
					continue;
				}
				if (nlat < count)
					lat[nlat++] = (double)(ts - sent_at[slot][head[slot]]) / 1000.0;
				head[slot] = (uint8_t)((head[slot] + 1) % OUTSTANDING);
				pending[slot]--;
				answered++;
			}
		}
		if (end && (now_ns() >= end || answered + overrun >= count))
			break;
		/* Sleep until the next send is due or an answer arrives. */
		int64_t wake = next < count ? start + (int64_t)(next * gap) : end;
		int64_t dt = wake - now_ns();
		struct timespec tmo = { dt > 0 ? dt / 1000000000 : 0, dt > 0 ? dt % 1000000000 : 0 };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ppoll(&pfd, 1, &tmo, NULL);
	}
	qsort(lat, nlat, sizeof(*lat), cmp_double);
	double p50 = nlat ? lat[nlat / 2] : -1, p99 = nlat ? lat[(size_t)(nlat * 0.99)] : -1;
	double p90 = nlat ? lat[(size_t)(nlat * 0.9)] : -1, max = nlat ? lat[nlat - 1] : -1;
	printf("{\"rate\":%.0f,\"sent\":%u,\"answered\":%u,\"loss_pct\":%.3f,\"p50_us\":%.1f,"
	       "\"p99_us\":%.1f,\"p90_us\":%.1f,\"max_us\":%.1f,\"overrun\":%u,\"stray\":%u}\n",
	       rate, count, answered, 100.0 * (count - answered) / count, p50, p99, p90, max, overrun, stray);
	free(pkts);
	free(to);
	free(sent_at);
	free(head);
	free(pending);
	free(lat);
	close(fd);
	return 0;
}
