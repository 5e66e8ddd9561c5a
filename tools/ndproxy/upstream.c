/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The upstream links: one AF_PACKET socket each behind a BPF filter,
 * opened and closed as the link comes and goes, read in recvmmsg batches;
 * each NS goes to ndp_handle_ns(). */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void ndp_upstream_close(struct ndp_daemon *d, size_t i)
{
	if (d->up[i].fd >= 0) {
		/* Closing drops the allmulti/promisc membership with it. */
		close(d->up[i].fd);
		log_info("proxy %s: stopped listening", d->conf.proxies[i].iface);
	}
	d->up[i].fd = -1;
	d->up[i].ifindex = 0;
}

static int upstream_open(struct ndp_daemon *d, size_t i, int ifindex)
{
	const struct ndp_proxy *p = &d->conf.proxies[i];
	struct sock_filter filter[NDP_FILTER_MAX];
	/* SOCK_DGRAM: the filter sees the packet from the IPv6 header on. */
	struct sock_fprog prog = { .len = (unsigned short)ndp_filter_build(filter, 0),
				   .filter = filter };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6),
				   .sll_ifindex = ifindex };
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_ALLMULTI };
	int rcvbuf = 4 << 20, one = 1, fd;

	if (!prog.len)
		fatalx("internal error: socket filter does not assemble");
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("proxy %s: packet socket", p->iface);
		return -1;
	}
	/* Filter before bind, so nothing unfiltered is ever queued. */
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		log_warn("proxy %s: packet socket setup", p->iface);
		close(fd);
		return -1;
	}
	/* Room for bursts: forced while we still have CAP_NET_ADMIN (at
	 * start), else as much as net.core.rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Our own NAs need not come back to us. */
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	/* Solicited-node groups of proxied targets are not ours to join:
	 * allmulti lets their frames in through hardware filters.  As a
	 * socket membership, the kernel undoes it however we exit. */
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		log_warn("proxy %s: allmulti", p->iface);
	if (p->promisc) {
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			log_warn("proxy %s: promiscuous", p->iface);
	}
	d->up[i].fd = fd;
	d->up[i].ifindex = ifindex;
	log_info("proxy %s: listening (ifindex %d)", p->iface, ifindex);
	return 0;
}

/* Cache entries whose downstream link is gone cannot be answered for. */
static bool on_missing_link(struct ndp_entry *e, void *arg)
{
	struct ndp_daemon *d = arg;

	if (ndp_link_is_up(ndp_link_by_index(&d->net.k, e->ifindex)))
		return false;
	if (e->wired)
		ndp_wire(d, e, false);
	return true;
}

/* Upstream sockets follow their links; links.c learns which links'
 * neighbours matter (the ones listened on). */
void ndp_reconcile(struct ndp_daemon *d)
{
	int *watch = malloc((d->conf.nproxies ? d->conf.nproxies : 1) * sizeof(*watch));
	size_t nwatch = 0;

	for (size_t i = 0; i < d->conf.nproxies; i++) {
		const struct ndp_link *l = ndp_link_by_name(&d->net.k, d->conf.proxies[i].iface);
		int want = ndp_link_is_up(l) ? l->ifindex : 0;
		if (d->up[i].fd >= 0 && d->up[i].ifindex != want)
			ndp_upstream_close(d, i);
		if (want && d->up[i].fd < 0)
			upstream_open(d, i, want);
		if (watch && d->up[i].fd >= 0)
			watch[nwatch++] = d->up[i].ifindex;
	}
	if (!watch || ndp_links_watch(&d->net, watch, nwatch) < 0)
		log_warnx("out of memory: upstream neighbours not followed");
	free(watch);
	ndp_cache_sweep(&d->cache, on_missing_link, d);
}

void ndp_upstream_read(struct ndp_daemon *d, size_t pi)
{
	static uint8_t bufs[NDP_BATCH][NDP_PKT_MAX];
	static struct mmsghdr msgs[NDP_BATCH];
	static struct iovec iov[NDP_BATCH];
	static struct sockaddr_ll from[NDP_BATCH];
	int64_t now = ndp_now_ms();

	for (int round = 0; round < 16; round++) {
		for (unsigned i = 0; i < NDP_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], NDP_PKT_MAX };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							   .msg_namelen = sizeof(from[i]),
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		int n = recvmmsg(d->up[pi].fd, msgs, NDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				/* ENETDOWN and friends: netlink tells us what happened. */
				log_debug("proxy %s: receive: %s", d->conf.proxies[pi].iface,
					  strerror(errno));
			}
			break;
		}
		d->ctr.received += (uint64_t)n;
		for (int i = 0; i < n; i++) {
			if (from[i].sll_pkttype == PACKET_OUTGOING || from[i].sll_halen != 6)
				continue;
			ndp_handle_ns(d, pi, bufs[i], msgs[i].msg_len, from[i].sll_addr, now);
		}
		ndp_out_flush(d);
		if (n < NDP_BATCH)
			break;
	}
}
