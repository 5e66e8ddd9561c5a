/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Carrying out ndp_answer_decide() for each NS: NAs queued and sent in
 * sendmmsg batches, new targets probed, solicitors remembered, every
 * NS that gets no answer counted by its reason. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>

/* One batch for the whole daemon: the loop runs one handler at a time,
 * and each flushes before it returns. */
static struct {
	int fd;
	unsigned n;
	struct mmsghdr msgs[NDP_BATCH];
	struct iovec iov[NDP_BATCH];
	struct sockaddr_ll to[NDP_BATCH];
	uint8_t buf[NDP_BATCH][NDP_NA_LEN];
} ob;

void ndp_out_flush(struct ndp_daemon *d)
{
	unsigned done = 0;

	while (done < ob.n) {
		int r = sendmmsg(ob.fd, ob.msgs + done, ob.n - done, 0);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			d->ctr.skipped[NDP_SKIP_SEND_FAILED] += ob.n - done;
			d->ctr.answered -= ob.n - done;
			break;
		}
		done += (unsigned)r;
	}
	ob.n = 0;
}

/* Queue an NA planned by ndp_na_plan() on upstream socket fd. */
void ndp_out_queue(struct ndp_daemon *d, int fd, const struct ndp_na *na)
{
	if (ob.n == NDP_BATCH || (ob.n && ob.fd != fd))
		ndp_out_flush(d);
	ob.fd = fd;
	unsigned k = ob.n++;
	size_t len = ndp_build_na(ob.buf[k], &na->src, &na->dst, &na->target, na->flags, na->tlla);
	ob.iov[k] = (struct iovec){ ob.buf[k], len };
	memset(&ob.to[k], 0, sizeof(ob.to[k]));
	ob.to[k].sll_family = AF_PACKET;
	ob.to[k].sll_protocol = htons(ETH_P_IPV6);
	ob.to[k].sll_ifindex = na->ifindex;
	ob.to[k].sll_halen = 6;
	memcpy(ob.to[k].sll_addr, na->dst_mac, 6);
	memset(&ob.msgs[k], 0, sizeof(ob.msgs[k]));
	ob.msgs[k].msg_hdr.msg_name = &ob.to[k];
	ob.msgs[k].msg_hdr.msg_namelen = sizeof(ob.to[k]);
	ob.msgs[k].msg_hdr.msg_iov = &ob.iov[k];
	ob.msgs[k].msg_hdr.msg_iovlen = 1;
	d->ctr.answered++;
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
	ndp_probe(d, e);
	return e;
}

void ndp_handle_ns(struct ndp_daemon *d, size_t pi, const uint8_t *pkt, size_t len,
		   const uint8_t mac[6], int64_t now)
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
		ndp_out_queue(d, d->up[pi].fd, &dec.na);
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
