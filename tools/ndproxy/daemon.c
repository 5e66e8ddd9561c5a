/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop: NS in on each upstream link (AF_PACKET, a BPF filter,
 * recvmmsg batches), NA out (sendmmsg batches), probes downstream on one
 * raw ICMPv6 socket, netlink events, the control socket and signals.
 * poll() sleeps until the earliest cache deadline and not a moment
 * earlier: an idle ndproxy does not wake up. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"
#include "service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define PKT_MAX 2048

/* ---- upstream sockets ---------------------------------------------- */

static void upstream_close(struct ndp_daemon *d, size_t i)
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

/* ---- the kernel's view: routes we own, links we listen on ------------ */

int ndp_wire(struct ndp_daemon *d, struct ndp_entry *e, bool add)
{
	const struct ndp_proxy *p = e->proxy < d->conf.nproxies ? &d->conf.proxies[e->proxy] : NULL;
	struct in6_addr gw;
	bool has_gw = false;
	struct v6_err err;
	int rc;

	/* autovia: through the gateway of the kernel's route to the target,
	 * when that route still leaves where the target was found. */
	if (add && p && e->rule < p->nrules && p->rules[e->rule].method == NDP_AUTO &&
	    p->rules[e->rule].autovia &&
	    ndp_route_oif(&d->net, &e->target, &gw, &has_gw) != e->ifindex)
		has_gw = false;
	rc = ndp_route_wire(&d->net, &e->target, e->ifindex, has_gw ? &gw : NULL, add, &err);
	if (add && rc == 0) {
		e->wired = 1;
		d->ctr.routes_wired++;
	} else if (!add) {
		e->wired = 0;
		if (rc == 0)
			d->ctr.routes_removed++;
	}
	if (rc < 0)
		log_warnx("autowire: %s", err.msg);
	return rc;
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
static void reconcile(struct ndp_daemon *d)
{
	int *watch = malloc((d->conf.nproxies ? d->conf.nproxies : 1) * sizeof(*watch));
	size_t nwatch = 0;

	for (size_t i = 0; i < d->conf.nproxies; i++) {
		const struct ndp_link *l = ndp_link_by_name(&d->net.k, d->conf.proxies[i].iface);
		int want = ndp_link_is_up(l) ? l->ifindex : 0;
		if (d->up[i].fd >= 0 && d->up[i].ifindex != want)
			upstream_close(d, i);
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

static bool learnt_from_route(struct ndp_entry *e, void *arg)
{
	struct ndp_daemon *d = arg;
	const struct ndp_proxy *p = &d->conf.proxies[e->proxy];

	if (p->rules[e->rule].method != NDP_AUTO)
		return false;
	if (e->wired)
		ndp_wire(d, e, false);
	return true;
}

static void routes_changed(struct ndp_daemon *d)
{
	/* `auto` targets learnt their interface from a route; any route
	 * change may move them, so they are asked again on the next NS. */
	ndp_cache_sweep(&d->cache, learnt_from_route, d);
}

/* Everything from scratch: links and addresses, the sockets that follow
 * them, then the neighbours on the links now listened on. */
static int links_sync(struct ndp_daemon *d, struct v6_err *err)
{
	int rc;

	if ((rc = ndp_links_read(&d->net, err)) < 0)
		return rc;
	reconcile(d);
	return ndp_neigh_read(&d->net, err);
}

static void links_event(struct ndp_daemon *d)
{
	unsigned ev = ndp_links_event(&d->net);
	struct v6_err err;

	if (ev & NDP_NL_OVERRUN) {
		if (links_sync(d, &err) < 0)
			log_warnx("netlink: %s", err.msg);
	} else if (ev & NDP_NL_LINKS) {
		reconcile(d);
	}
	if (ev & (NDP_NL_OVERRUN | NDP_NL_ROUTES))
		routes_changed(d);
}

/* ---- answering ------------------------------------------------------ */

struct outbatch {
	int fd;
	unsigned n;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll to[BATCH];
	uint8_t buf[BATCH][NDP_NA_LEN];
};

static void out_flush(struct ndp_daemon *d, struct outbatch *ob)
{
	unsigned done = 0;

	while (done < ob->n) {
		int r = sendmmsg(ob->fd, ob->msgs + done, ob->n - done, 0);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			d->ctr.skipped[NDP_SKIP_SEND_FAILED] += ob->n - done;
			d->ctr.answered -= ob->n - done;
			break;
		}
		done += (unsigned)r;
	}
	ob->n = 0;
}

/* Queue an NA planned by ndp_na_plan() on upstream socket fd. */
static void queue_na(struct ndp_daemon *d, struct outbatch *ob, int fd, const struct ndp_na *na)
{
	if (ob->n == BATCH || (ob->n && ob->fd != fd))
		out_flush(d, ob);
	ob->fd = fd;
	unsigned k = ob->n++;
	size_t len = ndp_build_na(ob->buf[k], &na->src, &na->dst, &na->target, na->flags, na->tlla);
	ob->iov[k] = (struct iovec){ ob->buf[k], len };
	memset(&ob->to[k], 0, sizeof(ob->to[k]));
	ob->to[k].sll_family = AF_PACKET;
	ob->to[k].sll_protocol = htons(ETH_P_IPV6);
	ob->to[k].sll_ifindex = na->ifindex;
	ob->to[k].sll_halen = 6;
	memcpy(ob->to[k].sll_addr, na->dst_mac, 6);
	memset(&ob->msgs[k], 0, sizeof(ob->msgs[k]));
	ob->msgs[k].msg_hdr.msg_name = &ob->to[k];
	ob->msgs[k].msg_hdr.msg_namelen = sizeof(ob->to[k]);
	ob->msgs[k].msg_hdr.msg_iov = &ob->iov[k];
	ob->msgs[k].msg_hdr.msg_iovlen = 1;
	d->ctr.answered++;
}

static bool probe(struct ndp_daemon *d, struct ndp_entry *e)
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

void ndp_drop_entry(struct ndp_daemon *d, struct ndp_entry *e)
{
	if (e->wired)
		ndp_wire(d, e, false);
	ndp_cache_remove(&d->cache, e);
}

static void skip(struct ndp_daemon *d, enum ndp_skip why, const struct in6_addr *target)
{
	char a[INET6_ADDRSTRLEN];

	d->ctr.skipped[why]++;
	log_debug("NS for %s: not answered (%s)", inet_ntop(AF_INET6, target, a, sizeof(a)),
		  ndp_skip_name(why));
}

static int route_oif(void *ctx, const struct in6_addr *target)
{
	return ndp_route_oif(ctx, target, NULL, NULL);
}

/* A new pending entry for ns's target, as dec says; NULL when the cache
 * has no room. */
static struct ndp_entry *start_probe(struct ndp_daemon *d, size_t pi, const struct ndp_ns *ns,
				     const struct ndp_decision *dec, int64_t now)
{
	struct ndp_entry *e;

	ndp_bucket_take(&d->probes, d->conf.probe_rate, now);
	if (dec->evict) {
		ndp_drop_entry(d, ndp_cache_earliest(&d->cache));
		d->ctr.evictions++;
	}
	if (!(e = ndp_cache_add(&d->cache, &ns->target, dec->deadline)))
		return NULL;
	e->state = NDP_PENDING;
	e->ifindex = dec->ifindex;
	e->proxy = (uint16_t)pi;
	e->rule = dec->rule;
	e->born_s = (uint32_t)(now / 1000);
	probe(d, e);
	return e;
}

static void handle_ns(struct ndp_daemon *d, struct outbatch *ob, size_t pi, const uint8_t *pkt,
		      size_t len, const uint8_t mac[6], int64_t now)
{
	const struct ndp_answer_view view = {
		.proxy = &d->conf.proxies[pi],
		.up_ifindex = d->up[pi].ifindex,
		.kernel = &d->net.k,
		.cache = &d->cache,
		.probes = &d->probes,
		.probe_rate = d->conf.probe_rate,
		.route_oif = route_oif,
		.route_ctx = &d->net,
	};
	struct ndp_decision dec;
	struct ndp_entry *e = NULL;
	struct ndp_ns ns;
	enum ndp_verdict v = ndp_parse_ns(pkt, len, &ns);

	if (v == NDP_PKT_NOT_NS)
		return;
	d->ctr.ns_seen++;
	if (v != NDP_PKT_OK) {
		d->ctr.invalid[v]++;
		log_debug("proxy %s: invalid NS dropped (%s)", view.proxy->iface, ndp_verdict_name(v));
		return;
	}
	ndp_answer_decide(&view, &ns, mac, now, &dec);
	switch (dec.act) {
	case NDP_ACT_SKIP:
		skip(d, dec.why, &ns.target);
		return;
	case NDP_ACT_NONE:
		return;
	case NDP_ACT_ANSWER:
		queue_na(d, ob, d->up[pi].fd, &dec.na);
		return;
	case NDP_ACT_PROBE:
		if (!(e = start_probe(d, pi, &ns, &dec, now))) {
			skip(d, NDP_SKIP_CACHE_FULL, &ns.target);
			return;
		}
		break;
	case NDP_ACT_WAIT:
		e = ndp_cache_find(&d->cache, &ns.target);
		break;
	}
	ndp_entry_wait(e, &ns.src, mac, (uint16_t)pi);
	d->ctr.waiting++;
}

static void upstream_read(struct ndp_daemon *d, size_t pi, struct outbatch *ob)
{
	static uint8_t bufs[BATCH][PKT_MAX];
	static struct mmsghdr msgs[BATCH];
	static struct iovec iov[BATCH];
	static struct sockaddr_ll from[BATCH];
	int64_t now = ndp_now_ms();

	for (int round = 0; round < 16; round++) {
		for (unsigned i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], PKT_MAX };
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
							   .msg_namelen = sizeof(from[i]),
							   .msg_iov = &iov[i], .msg_iovlen = 1 };
		}
		int n = recvmmsg(d->up[pi].fd, msgs, BATCH, MSG_DONTWAIT, NULL);
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
			handle_ns(d, ob, pi, bufs[i], msgs[i].msg_len, from[i].sll_addr, now);
		}
		out_flush(d, ob);
		if (n < BATCH)
			break;
	}
}

/* ---- downstream answers ------------------------------------------- */

/* Long deadlines (ttl, deadtime) are rounded up to the next whole second
 * so that many entries expire in one wake-up, not one each. */
static int64_t coarse(int64_t t)
{
	return (t + 999) / 1000 * 1000;
}

static void confirm(struct ndp_daemon *d, struct ndp_entry *e, int64_t now, struct outbatch *ob)
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
			queue_na(d, ob, d->up[w->proxy].fd, &na);
	}
	e->nwait = 0;
	out_flush(d, ob);
	if (p->autowire && d->can_wire && !e->wired)
		ndp_wire(d, e, true);
}

static void raw_read(struct ndp_daemon *d, struct outbatch *ob)
{
	uint8_t buf[PKT_MAX];
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
		confirm(d, e, ndp_now_ms(), ob);
	}
}

static int raw_open(struct ndp_daemon *d, struct v6_err *err)
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

/* ---- timers --------------------------------------------------------- */

static void expire(struct ndp_daemon *d, int64_t now)
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
				probe(d, e);
				ndp_cache_set_deadline(&d->cache, e, now + p->timeout_ms);
			} else {
				ndp_drop_entry(d, e);
			}
			break;
		case NDP_PENDING:
		case NDP_REFRESH:
			if (e->tries <= p->retries && probe(d, e)) {
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

/* ---- reload --------------------------------------------------------- */

struct reload_ctx {
	struct ndp_daemon *d;
	const struct ndp_conf *nc;
};

/* Renumber an entry for the new configuration, or have it dropped. */
static bool carry_over(struct ndp_entry *e, void *arg)
{
	struct reload_ctx *rc = arg;
	struct ndp_daemon *d = rc->d;
	const struct ndp_conf *nc = rc->nc;
	const struct ndp_proxy *op = &d->conf.proxies[e->proxy];
	const struct ndp_rule *orr = &op->rules[e->rule], *nr = NULL;
	size_t np;

	for (np = 0; np < nc->nproxies; np++)
		if (!strcmp(nc->proxies[np].iface, op->iface))
			break;
	if (np < nc->nproxies)
		nr = ndp_rule_match(&nc->proxies[np], &e->target);
	if (!nr || nr->method != orr->method || strcmp(nr->iface, orr->iface)) {
		if (e->wired)
			ndp_wire(d, e, false);
		return true;
	}
	if (e->wired && !nc->proxies[np].autowire)
		ndp_wire(d, e, false);
	e->proxy = (uint16_t)np;
	e->rule = (uint16_t)(nr - nc->proxies[np].rules);
	for (unsigned i = 0; i < e->nwait; i++) {
		size_t wp = nc->nproxies;
		if (e->wait[i].proxy < d->conf.nproxies) /* else gone in an earlier reload */
			for (wp = 0; wp < nc->nproxies; wp++)
				if (!strcmp(nc->proxies[wp].iface,
					    d->conf.proxies[e->wait[i].proxy].iface))
					break;
		e->wait[i].proxy = (uint16_t)wp; /* out of range: skipped on answer */
	}
	return false;
}

static void reload(struct ndp_daemon *d)
{
	struct ndp_conf nc;
	struct ndp_upstream *nup;
	struct v6_err err;

	d->ctr.reloads++;
	if (!d->conf_path) {
		log_warnx("reload: started from the command line, nothing to reload");
		return;
	}
	if (ndp_conf_load(d->conf_path, &nc, &err) < 0) {
		log_warnx("reload refused, old configuration kept: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < nc.nproxies; i++)
		if (nc.proxies[i].autowire && !d->can_wire) {
			log_warnx("reload refused, old configuration kept: autowire on %s needs a "
				  "restart (CAP_NET_ADMIN was dropped)", nc.proxies[i].iface);
			ndp_conf_free(&nc);
			return;
		}
	if (!(nup = calloc(nc.nproxies, sizeof(*nup)))) {
		ndp_conf_free(&nc);
		return;
	}
	/* Upstream links keep their claim; new ones must get theirs, or the
	 * whole reload is refused (another instance answers there). */
	for (size_t i = 0; i < nc.nproxies; i++) {
		size_t o;
		nup[i].fd = -1;
		nup[i].claim[0] = nup[i].claim[1] = -1;
		for (o = 0; o < d->conf.nproxies; o++)
			if (!strcmp(d->conf.proxies[o].iface, nc.proxies[i].iface))
				break;
		if (o < d->conf.nproxies)
			continue;
		if (ndp_claim_upstream(nc.proxies[i].iface, d->instance, nup[i].claim, &err) < 0) {
			log_warnx("reload refused, old configuration kept: %s", err.msg);
			for (size_t j = 0; j < i; j++)
				ndp_claim_release(nup[j].claim);
			free(nup);
			ndp_conf_free(&nc);
			return;
		}
	}
	for (size_t i = 0; i < nc.nproxies; i++) {
		if (nup[i].claim[0] >= 0)
			continue;
		for (size_t o = 0; o < d->conf.nproxies; o++)
			if (!strcmp(d->conf.proxies[o].iface, nc.proxies[i].iface)) {
				memcpy(nup[i].claim, d->up[o].claim, sizeof(nup[i].claim));
				d->up[o].claim[0] = d->up[o].claim[1] = -1;
			}
	}
	/* Keep the entries that still apply: same upstream, a rule with the
	 * same method and interface still covering the target. */
	struct reload_ctx rc = { d, &nc };
	ndp_cache_sweep(&d->cache, carry_over, &rc);
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		upstream_close(d, i);
		ndp_claim_release(d->up[i].claim); /* those not carried over */
	}
	free(d->up);
	ndp_conf_free(&d->conf);
	d->conf = nc;
	d->up = nup;
	d->cache.max = nc.cache_max;
	while (d->cache.n > d->cache.max)
		ndp_drop_entry(d, ndp_cache_earliest(&d->cache));
	reconcile(d);
	log_info("configuration reloaded from %s", d->conf_path);
}

/* ---- main loop ------------------------------------------------------ */

static void shutdown_clean(struct ndp_daemon *d)
{
	v6_service_notify("STOPPING=1");
	while (d->cache.n)
		ndp_drop_entry(d, ndp_cache_earliest(&d->cache));
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		upstream_close(d, i);
		ndp_claim_release(d->up[i].claim);
	}
	ndp_ctl_close_all(&d->ctl);
	/* Without privileges left, the cleanup helper removes it. */
	if (d->ctl.path[0] && !d->cleanup_helper)
		unlink(d->ctl.path);
	log_info("exiting");
}

static int setup_signals(struct ndp_daemon *d, struct v6_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return v6_err_set(err, -errno, "signalfd: %s", strerror(errno));
	return 0;
}

/* systemd's reload protocol (sd_notify(3), Type=notify-reload): say when
 * a reload starts, on the monotonic clock, and when it is over. */
static void reload_notified(struct ndp_daemon *d)
{
	struct timespec ts;
	char msg[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	v6_service_notify(msg);
	reload(d);
	v6_service_notify("READY=1");
}

static struct ndp_status_view status_view(const struct ndp_daemon *d)
{
	return (struct ndp_status_view){
		.instance = d->instance,
		.conf_path = d->conf_path,
		.started = d->started,
		.conf = &d->conf,
		.up = d->up,
		.kernel = &d->net.k,
		.cache = &d->cache,
		.ctr = &d->ctr,
		.link_events = d->net.link_events,
	};
}

static void loop(struct ndp_daemon *d)
{
	struct ndp_status_view status;
	static struct outbatch ob;
	struct pollfd *pfd = NULL;
	size_t cap = 0;

	while (!d->quit) {
		int64_t now = ndp_now_ms(), wake;
		struct ndp_entry *e;
		int timeout = -1;
		size_t n = 0, nfixed;

		expire(d, now);
		wake = ndp_ctl_deadline(&d->ctl);
		if ((e = ndp_cache_earliest(&d->cache)) && e->deadline < wake)
			wake = e->deadline;
		if (wake != INT64_MAX)
			timeout = wake - now > 3600000 ? 3600000 : wake < now ? 0 : (int)(wake - now);
		if (cap < 4 + d->conf.nproxies + NDP_CTL_CLIENTS) {
			cap = 4 + d->conf.nproxies + NDP_CTL_CLIENTS;
			struct pollfd *np = realloc(pfd, cap * sizeof(*pfd));
			if (!np)
				fatalx("out of memory");
			pfd = np;
		}
		pfd[n++] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->net.evfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->rawfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->ctl.fd, .events = POLLIN };
		for (size_t i = 0; i < d->conf.nproxies; i++)
			pfd[n++] = (struct pollfd){ .fd = d->up[i].fd, .events = POLLIN };
		nfixed = n;
		ndp_ctl_pollfds(&d->ctl, pfd, &n);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					reload_notified(d);
				else
					d->quit = true;
			}
			if (d->quit)
				break;
			continue; /* the fd set may have changed */
		}
		if (pfd[1].revents)
			links_event(d);
		if (pfd[2].revents)
			raw_read(d, &ob);
		/* The netlink handler may have closed or reopened sockets. */
		for (size_t i = 0; i < d->conf.nproxies && 4 + i < nfixed; i++)
			if (pfd[4 + i].revents && pfd[4 + i].fd == d->up[i].fd && d->up[i].fd >= 0)
				upstream_read(d, i, &ob);
		/* Clients after packets: a status never delays an answer. */
		status = status_view(d);
		ndp_ctl_io(&d->ctl, &status, pfd + nfixed, n - nfixed, ndp_now_ms());
		if (pfd[3].revents)
			ndp_ctl_accept(&d->ctl, ndp_now_ms());
	}
	free(pfd);
}

/* Fatal before the daemon is ready: the waiting parent prints it. */
#define setup_fatal(status, err) ndp_setup_fail((status), "%s", (err)->msg)

int ndp_daemon_run(struct ndp_conf *conf, const struct ndp_opts *o)
{
	static struct ndp_daemon d;
	bool wire = false, root = getuid() == 0;
	struct v6_err err;
	uint32_t seed = 0;
	int ready_fd = -1, lock_fd = -1;
	char path[300], lock[300], pid_default[300];
	const char *pidfile = o->pidfile;
	char what[120];

	d.conf = *conf;
	d.conf_path = o->conf_path;
	d.instance = o->instance;
	d.net.evfd = d.rawfd = d.ctl.fd = d.sigfd = -1;
	/* stderr until detached: errors before the fork reach the user. */
	log_init("ndproxy", false, o->verbose);
	for (size_t i = 0; i < conf->nwarn; i++)
		log_warnx("%s", conf->warn[i]);
	for (size_t i = 0; i < conf->nproxies; i++)
		wire |= conf->proxies[i].autowire;
	if (!(d.up = calloc(conf->nproxies, sizeof(*d.up))))
		fatalx("out of memory");
	for (size_t i = 0; i < conf->nproxies; i++) {
		d.up[i].fd = -1;
		d.up[i].claim[0] = d.up[i].claim[1] = -1;
	}
	if (getrandom(&seed, sizeof(seed), 0) < 0)
		seed = (uint32_t)time(NULL);
	if (ndp_cache_init(&d.cache, conf->cache_max, seed) < 0)
		fatalx("out of memory");
	d.started = d.probes.at = ndp_now_ms();
	d.probes.tokens = conf->probe_rate;

	/* What can be checked before forking is, so that it fails here. */
	if (root) {
		uid_t uid;
		gid_t gid;
		const char *chosen;
		bool fell_back;
		if (v6_service_user(conf->user, &uid, &gid, &chosen, &fell_back, &err) < 0) {
			log_warnx("%s", err.msg);
			exit(V6_EXIT_USAGE);
		}
	}
	if (o->netns && v6_netns_enter(o->netns, &err) < 0)
		fatalx("%s", err.msg);
	if (ndp_instance_path(path, sizeof(path), o->netns, o->instance, "sock") < 0 ||
	    ndp_instance_path(lock, sizeof(lock), o->netns, o->instance, "lock") < 0 ||
	    ndp_instance_path(pid_default, sizeof(pid_default), o->netns, o->instance, "pid") < 0)
		fatalx("run directory path too long: '%s'", v6_rundir());
	/* In the background a pidfile is the way to find the daemon. */
	if (o->detach && !pidfile)
		pidfile = pid_default;
	if (o->instance)
		snprintf(what, sizeof(what), "ndproxy instance '%s'", o->instance);
	else
		snprintf(what, sizeof(what), "ndproxy (unnamed instance)");
	if (ndp_lock_instance(lock, path, what, &lock_fd, &err) < 0)
		fatalx("%s", err.msg);
	for (size_t i = 0; i < conf->nproxies; i++)
		if (ndp_claim_upstream(conf->proxies[i].iface, o->instance, d.up[i].claim, &err) < 0)
			fatalx("%s", err.msg);

	if (o->detach) {
		if (ndp_daemonize(&ready_fd, &err) < 0)
			fatalx("%s", err.msg);
		log_init("ndproxy", true, o->verbose);
		ndp_setup_pipe(ready_fd);
	}
	if (setup_signals(&d, &err) < 0 || ndp_links_open(&d.net, &err) < 0 ||
	    raw_open(&d, &err) < 0 ||
	    ndp_ctl_open(&d.ctl, path, &err) < 0)
		setup_fatal(V6_EXIT_RUNTIME, &err);
	v6_service_notify_open();
	if (ndp_unwire_stale(&d.net, &err) < 0)
		log_warnx("stale routes: %s", err.msg);
	if (pidfile && ndp_pidfile_write(pidfile, &err) < 0) {
		unlink(path);
		setup_fatal(V6_EXIT_RUNTIME, &err);
	}
	/* First sockets opened while still root (bigger buffers); ones for
	 * interfaces that appear later need only CAP_NET_RAW. */
	if (links_sync(&d, &err) < 0)
		setup_fatal(V6_EXIT_RUNTIME, &err);
	if (root) {
		uint32_t keep = 1u << CAP_NET_RAW;

		if (ndp_cleanup_helper(path, pidfile, lock_fd, &err) < 0)
			setup_fatal(V6_EXIT_RUNTIME, &err);
		d.cleanup_helper = true;
		if (wire)
			keep |= 1u << CAP_NET_ADMIN;
		if (v6_service_drop(conf->user, keep, &err) < 0)
			setup_fatal(V6_EXIT_RUNTIME, &err);
		log_info("running with CAP_NET_RAW%s", wire ? " and CAP_NET_ADMIN" : "");
		d.can_wire = wire;
	} else {
		d.can_wire = true; /* whatever we have; the kernel decides */
	}
	log_info("started with %zu prox%s%s%s", conf->nproxies, conf->nproxies == 1 ? "y" : "ies",
		 o->instance ? " as instance " : "", o->instance ? o->instance : "");
	v6_service_notify("READY=1");
	ndp_daemon_ready();
	loop(&d);
	shutdown_clean(&d);
	if (pidfile && !d.cleanup_helper)
		unlink(pidfile);
	ndp_cache_free(&d.cache);
	ndp_conf_free(&d.conf);
	free(d.up);
	ndp_links_close(&d.net);
	*conf = (struct ndp_conf){ 0 };
	return 0;
}
