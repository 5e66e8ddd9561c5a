/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP and ICMPv6 echo probes for `ping` and `mtu`: raw sockets when we
 * may (root), datagram ping sockets otherwise.  What comes back is
 * classified by tb_icmp_classify() (icmpmsg.c); replies must also come
 * from the destination, and anything else is ignored. */
#define _GNU_SOURCE
#include "icmpmsg.h"
#include "tunbench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* The interface that owns addr, for SO_BINDTODEVICE. */
static int owner_ifname(const struct v6_addr *addr, char *name, size_t len)
{
	struct ifaddrs *ifa, *i;
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != addr->family)
			continue;
		const void *a = addr->family == AF_INET6
					? (const void *)&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr
					: (const void *)&((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (!memcmp(a, addr->bytes, v6_family_bytes(addr->family))) {
			snprintf(name, len, "%s", i->ifa_name);
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

static int bind_source(struct tb_icmp *ic, const char *src, struct v6_err *err)
{
	struct v6_addr a;
	char ifname[IF_NAMESIZE];

	if (v6_parse_addr(src, V6_PARSE_ANY, &a, "source", NULL) == 0) {
		if (a.family != ic->family)
			return v6_err_set(err, -EINVAL, "source '%s' is not of the same family as the host",
					  src);
		struct sockaddr_storage ss = { 0 };
		socklen_t sl;
		if (a.family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_addr = a.v6;
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_addr = a.v4;
			sl = sizeof(*s4);
		}
		/* The seed's health check: packets from the tunnel's own
		 * address must leave through the tunnel, whatever the main
		 * table says, so we also bind to the device owning it. */
		if (owner_ifname(&a, ifname, sizeof(ifname)) < 0)
			return v6_err_set(err, -EADDRNOTAVAIL, "source '%s': not an address of this host",
					  src);
		if (a.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a.v6))
			((struct sockaddr_in6 *)&ss)->sin6_scope_id = if_nametoindex(ifname);
		if (setsockopt(ic->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, strlen(ifname) + 1) < 0)
			return v6_err_set(err, -errno, "bind to %s: %s", ifname, strerror(errno));
		if (bind(ic->fd, (struct sockaddr *)&ss, sl) < 0)
			return v6_err_set(err, -errno, "source '%s': %s", src, strerror(errno));
		return 0;
	}
	if (v6_parse_ifname(src, "interface", err) < 0)
		return v6_err_set(err, -EINVAL, "source must be an address or an interface: '%s'", src);
	if (!if_nametoindex(src))
		return v6_err_set(err, -ENODEV, "interface '%s': no such device", src);
	if (setsockopt(ic->fd, SOL_SOCKET, SO_BINDTODEVICE, src, strlen(src) + 1) < 0)
		return v6_err_set(err, -errno, "bind to %s: %s", src, strerror(errno));
	return 0;
}

int tb_icmp_open(struct tb_icmp *ic, const char *host, const char *src, bool dontfrag,
		 struct v6_err *err)
{
	int rc, one = 1;

	memset(ic, 0, sizeof(*ic));
	ic->fd = -1;
	rc = tb_resolve(host, 0, AF_UNSPEC, &ic->dst, &ic->dstlen, err);
	if (rc < 0)
		return rc;
	ic->family = ic->dst.ss_family;
	int proto = ic->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	ic->fd = socket(ic->family, SOCK_RAW | SOCK_CLOEXEC, proto);
	ic->raw = ic->fd >= 0;
	if (ic->fd < 0)
		ic->fd = socket(ic->family, SOCK_DGRAM | SOCK_CLOEXEC, proto);
	if (ic->fd < 0)
		return v6_err_set(err, -errno, "ICMP socket: %s (needs root or ping_group_range)",
				  strerror(errno));
	ic->ident = (uint16_t)tb_random64();
	if (ic->family == AF_INET6) {
		if (ic->raw) {
			struct icmp6_filter f;
			ICMP6_FILTER_SETBLOCKALL(&f);
			ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
			ICMP6_FILTER_SETPASS(ICMP6_PACKET_TOO_BIG, &f);
			ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
			setsockopt(ic->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
		}
		setsockopt(ic->fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
		if (dontfrag) {
			/* Probe mode: DF on, and the kernel's cached path MTU
			 * ignored so sizes above it still leave. */
			int pm = IPV6_PMTUDISC_PROBE;
			setsockopt(ic->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pm, sizeof(pm));
			setsockopt(ic->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one));
		}
	} else {
		setsockopt(ic->fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
		if (dontfrag) {
			int pm = IP_PMTUDISC_PROBE;
			setsockopt(ic->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pm, sizeof(pm));
		}
	}
	if (src && (rc = bind_source(ic, src, err)) < 0) {
		tb_icmp_close(ic);
		return rc;
	}
	return 0;
}

void tb_icmp_close(struct tb_icmp *ic)
{
	if (ic->fd >= 0)
		close(ic->fd);
	ic->fd = -1;
}

int tb_icmp_send(struct tb_icmp *ic, uint16_t seq, size_t size, struct v6_err *err)
{
	static __thread uint8_t buf[65536];
	size_t iphdr = ic->family == AF_INET6 ? 40 : 20;
	size_t min = TB_ICMP_ECHO_HDR + TB_PROBE_PAYLOAD_MIN;
	size_t len = size > iphdr + min ? size - iphdr : min;

	if (len > sizeof(buf))
		len = sizeof(buf);
	tb_icmp_echo_encode(buf, len, ic->family, ic->ident, seq, tb_now_ns());
	if (ic->family == AF_INET && ic->raw)
		v6_put_be16(buf + 2, v6_csum(buf, len));
	if (sendto(ic->fd, buf, len, 0, (struct sockaddr *)&ic->dst, ic->dstlen) < 0) {
		int rc = -errno;
		if (rc == -EMSGSIZE)
			return TB_PROBE_TOOBIG;
		return v6_err_set(err, rc, "%s", strerror(-rc));
	}
	return 0;
}

static int read_errqueue(struct tb_icmp *ic, uint16_t *got_seq, uint32_t *mtu)
{
	uint8_t data[2048], ctl[512];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	ssize_t n = recvmsg(ic->fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);

	if (n < 0)
		return -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (!((c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR)))
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		/* The queued packet is our request as sent (echo header first). */
		if ((size_t)n >= TB_ICMP_ECHO_HDR) {
			uint16_t s;
			memcpy(&s, data + 6, 2);
			*got_seq = ntohs(s);
		}
		if (ee.ee_errno == EMSGSIZE) {
			*mtu = ee.ee_info;
			return TB_PROBE_TOOBIG;
		}
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP6 || ee.ee_origin == SO_EE_ORIGIN_ICMP ||
		    ee.ee_errno == EHOSTUNREACH || ee.ee_errno == ENETUNREACH)
			return TB_PROBE_UNREACH;
	}
	return -1;
}

static bool from_dst(const struct tb_icmp *ic, const struct sockaddr_storage *from)
{
	if (from->ss_family != ic->family)
		return false;
	if (ic->family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
			       &((const struct sockaddr_in6 *)&ic->dst)->sin6_addr, 16);
	return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
	       ((const struct sockaddr_in *)&ic->dst)->sin_addr.s_addr;
}

int tb_icmp_wait(struct tb_icmp *ic, int seq, uint64_t deadline_ns, uint16_t *got_seq,
		 uint64_t *send_ns, uint32_t *mtu)
{
	static __thread uint8_t buf[65536];

	for (;;) {
		uint64_t now = tb_now_ns();
		if (now >= deadline_ns)
			return TB_PROBE_TIMEOUT;
		struct pollfd p = { .fd = ic->fd, .events = POLLIN };
		if (poll(&p, 1, (int)((deadline_ns - now) / 1000000) + 1) <= 0)
			continue;
		if (p.revents & POLLERR) {
			int r = read_errqueue(ic, got_seq, mtu);
			if (r >= 0 && (seq < 0 || *got_seq == seq))
				return r;
			continue;
		}
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(ic->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		struct tb_icmp_expect x = { .family = ic->family, .ip_header = ic->raw,
					    .check_id = ic->raw, .ident = ic->ident, .seq = seq };
		struct tb_icmp_info info = { 0 };
		switch (tb_icmp_classify(buf, (size_t)n, &x, &info)) {
		case TB_ICMP_ECHO_REPLY:
			if (!from_dst(ic, &from))
				continue;
			*got_seq = info.seq;
			*send_ns = info.send_ns;
			return TB_PROBE_REPLY;
		case TB_ICMP_TOO_BIG:
			*got_seq = info.seq;
			*mtu = info.mtu;
			return TB_PROBE_TOOBIG;
		case TB_ICMP_UNREACH:
			*got_seq = info.seq;
			return TB_PROBE_UNREACH;
		case TB_ICMP_TIME_EXCEEDED: /* a routing loop looks like loss */
		case TB_ICMP_NOT_OURS:
			continue;
		}
	}
}
