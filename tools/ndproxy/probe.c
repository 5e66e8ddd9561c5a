/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Downstream: NS probes out and NAs in on one raw ICMPv6 socket, and the
 * cache's timers (probe retries, keepalive, expiry, deadtime). */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/socket.h>

bool ndp_probe(struct ndp_daemon *d, struct ndp_entry *e)
{
	const struct ndp_link *l = ndp_link_by_index(&d->net.k, e->ifindex);
	uint8_t icmp[NDP_NS_ICMP_LEN];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)e->ifindex };
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	struct iovec iov = { icmp, sizeof(icmp) };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)e->ifindex };

	if (!l || !l->has_mac)
		return false;
	ndp_solicited_node(&e->target, &to.sin6_addr);
	ndp_build_ns_icmp(icmp, &e->target, l->mac);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	if (sendmsg(d->rawfd, &mh, 0) < 0) {
		log_debug("probe on %s: %s", l->name, strerror(errno));
		return false;
	}
	e->tries++;
	d->ctr.probes_sent++;
	return true;
}

int ndp_raw_open(struct ndp_daemon *d, struct v6_err *err)
{
	struct icmp6_filter f;
	int on = 1, hops = 255;

	d->rawfd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (d->rawfd < 0)
		return v6_err_set(err, -errno, "raw ICMPv6 socket: %s", strerror(errno));
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &f);
	/* RFC 4861 7.1.2 wants hop limit 255 on what we send and receive. */
	if (setsockopt(d->rawfd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(d->rawfd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(d->rawfd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on)) < 0 ||
	    setsockopt(d->rawfd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(d->rawfd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0)
		return v6_err_set(err, -errno, "raw ICMPv6 socket options: %s", strerror(errno));
	return 0;
}

/* Long deadlines (ttl, deadtime) are rounded up to the next whole second
 * so that many entries expire in one wake-up, not one each. */
static int64_t coarse(int64_t t)
{
	return (t + 999) / 1000 * 1000;
}

static void confirm(struct ndp_daemon *d, struct ndp_entry *e, int64_t now)
{
	const struct ndp_proxy *p = &d->conf.proxies[e->proxy];
	char a[INET6_ADDRSTRLEN];

	if (e->state != NDP_VALID)
		log_debug("%s confirmed downstream", inet_ntop(AF_INET6, &e->target, a, sizeof(a)));
	e->state = NDP_VALID;
	e->tries = 0;
	ndp_cache_set_deadline(&d->cache, e, coarse(now + p->ttl_ms));
	for (unsigned i = 0; i < e->nwait; i++) {
		const struct ndp_waiter *w = &e->wait[i];
		struct ndp_na na;
		/* A waiter's proxy may be gone since (reload) or not listening. */
		if (w->proxy < d->conf.nproxies && d->up[w->proxy].fd >= 0 &&
		    ndp_na_plan(&d->conf.proxies[w->proxy],
				ndp_link_by_index(&d->net.k, d->up[w->proxy].ifindex), &e->target,
				&w->addr, w->mac, &na))
			ndp_out_queue(d, d->up[w->proxy].fd, &na);
	}
	e->nwait = 0;
	ndp_out_flush(d);
	if (p->autowire && d->can_wire && !e->wired)
		ndp_wire(d, e, true);
}

void ndp_raw_read(struct ndp_daemon *d)
{
	uint8_t buf[NDP_PKT_MAX];
	char cbuf[256];

	for (int round = 0; round < 256; round++) {
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		int hoplimit = -1, ifindex = 0;
		struct in6_addr target;
		struct ndp_entry *e;
		ssize_t n = recvmsg(d->rawfd, &mh, MSG_DONTWAIT);

		if (n < 0)
			break;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != IPPROTO_IPV6)
				continue;
			if (cm->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&hoplimit, CMSG_DATA(cm), sizeof(int));
			else if (cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ifindex = (int)pi.ipi6_ifindex;
			}
		}
		if (ndp_parse_na_icmp(buf, (size_t)n, hoplimit, &target) < 0)
			continue;
		/* Only the link we asked on may confirm a target. */
		if (!(e = ndp_cache_find(&d->cache, &target)) || e->ifindex != ifindex ||
		    e->state == NDP_INVALID)
			continue;
		d->ctr.probes_answered++;
		confirm(d, e, ndp_now_ms());
	}
}

void ndp_expire(struct ndp_daemon *d, int64_t now)
{
	struct ndp_entry *e;

	while ((e = ndp_cache_earliest(&d->cache)) && e->deadline <= now) {
		const struct ndp_proxy *p = &d->conf.proxies[e->proxy];
		switch (e->state) {
		case NDP_VALID:
			if (p->keepalive) {
				/* Refresh before forgetting: still answered meanwhile. */
				e->state = NDP_REFRESH;
				e->tries = 0;
				ndp_probe(d, e);
				ndp_cache_set_deadline(&d->cache, e, now + p->timeout_ms);
			} else {
				ndp_drop_entry(d, e);
			}
			break;
		case NDP_PENDING:
		case NDP_REFRESH:
			if (e->tries <= p->retries && ndp_probe(d, e)) {
				ndp_cache_set_deadline(&d->cache, e, now + p->timeout_ms);
				break;
			}
			d->ctr.probe_timeouts++;
			if (e->wired)
				ndp_wire(d, e, false);
			e->nwait = 0;
			if (!p->deadtime_ms) {
				ndp_drop_entry(d, e);
				break;
			}
			e->state = NDP_INVALID;
			ndp_cache_set_deadline(&d->cache, e, coarse(now + p->deadtime_ms));
			break;
		default:
			ndp_drop_entry(d, e);
		}
	}
}
