/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The idle keepalive engine, shared by the user-mode daemon (a thread) and
 * `tun6in4 keepalive` for kernel tunnels.  The decisions and the packet
 * are pure functions; only t64_idle_send() and the thread touch sockets. */
#define _GNU_SOURCE
#include "idle.h"
#include "log.h"
#include "pkt.h"
#include "tun6in4.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

void t64_idle_init(struct t64_idle *k, uint32_t interval_s, uint64_t tx, long long now_ms)
{
	memset(k, 0, sizeof(*k));
	k->interval_ms = interval_s * 1000u;
	k->seen = tx;
	k->idle_since = now_ms;
}

bool t64_idle_due(struct t64_idle *k, uint64_t tx, long long now_ms)
{
	if (!k->interval_ms)
		return false;
	if (tx != k->seen) {
		/* Traffic left sometime in the last tick: not idle. */
		k->seen = tx;
		k->idle_since = now_ms;
		return false;
	}
	/* The last packet may have left a tick before idle_since. */
	if (now_ms - k->idle_since + T64_IDLE_TICK_MS < (long long)k->interval_ms)
		return false;
	k->idle_since = now_ms;
	k->seq++;
	return true;
}

size_t t64_idle_packet(const struct t64_conf *c, uint16_t seq, uint8_t *buf, size_t cap)
{
	enum { IP6 = 40, ECHO = 8 + 8 };
	struct in6_addr dst = { .s6_addr = { 0xff, 0x02, [15] = 1 } };
	size_t plen = c->naddr ? ECHO : 0;

	if (cap < IP6 + ECHO)
		return 0;
	if (c->has_check)
		dst = c->check;
	else if (c->has_gateway)
		dst = c->gateway;
	memset(buf, 0, IP6 + plen);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(plen >> 8);
	buf[5] = (uint8_t)plen;
	buf[6] = c->naddr ? 58 : 59; /* ICMPv6, or No Next Header */
	buf[7] = 64;
	if (c->naddr)
		memcpy(buf + 8, &c->addr[0].addr.v6, 16);
	memcpy(buf + 24, &dst, 16);
	if (!plen)
		return IP6;
	uint8_t *icmp = buf + IP6;
	icmp[0] = 128; /* RFC 4443 4.1: Echo Request */
	icmp[4] = 0x00;
	icmp[5] = 41; /* identifier: protocol 41, for anyone reading a capture */
	icmp[6] = (uint8_t)(seq >> 8);
	icmp[7] = (uint8_t)seq;
	memcpy(icmp + 8, "keepaliv", 8);
	uint16_t sum = v6_csum6(buf + 8, buf + 24, 58, icmp, plen);
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	return IP6 + plen;
}

int t64_idle_send(int raw_fd, const struct t64_conf *c, uint16_t seq)
{
	uint8_t pkt[64], hdr[T64_IP4_HDR];
	size_t n = t64_idle_packet(c, seq, pkt, sizeof(pkt));
	/* Source 0: the kernel fills in the socket's bound address, which
	 * follows `change local`. */
	struct in_addr any = { 0 };

	t64_encap_hdr(hdr, any, c->remote, (uint8_t)c->ttl, pkt, n, 1);
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { pkt, n } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	return sendmsg(raw_fd, &m, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

struct idle_thread {
	struct t64_daemon *d;
	atomic_ullong *tx;
};

static void *idle_loop(void *arg)
{
	struct idle_thread *t = arg;
	const struct t64_conf *c = t->d->conf;
	struct t64_idle k;
	struct timespec tick = { 0, T64_IDLE_TICK_MS * 1000000L };

	t64_idle_init(&k, c->keepalive, atomic_load(t->tx), v6_mono_ms());
	for (;;) {
		nanosleep(&tick, NULL);
		if (!t64_idle_due(&k, atomic_load(t->tx), v6_mono_ms()))
			continue;
		int rc = t64_idle_send(t->d->raw_fd, c, k.seq);
		if (rc < 0)
			log_debug("keepalive: %s", strerror(-rc));
	}
	return NULL;
}

void t64_idle_start(struct t64_daemon *d, atomic_ullong *tx)
{
	static struct idle_thread t;
	pthread_attr_t a;
	pthread_t th;

	if (!d->conf->keepalive)
		return;
	t = (struct idle_thread){ d, tx };
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &a, idle_loop, &t))
		log_warnx("%s: cannot start the keepalive thread", d->conf->name);
	else
		log_info("%s: keepalive every %u s while idle", d->conf->name, d->conf->keepalive);
	pthread_attr_destroy(&a);
}
