/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The answer decision (pure): which valid NS gets an NA now, which waits
 * for a downstream probe, which starts one, and why the rest get none. */
#include "answer.h"

#include <net/if.h>
#include <string.h>

static const char *const skip_names[NDP_SKIP__N] = {
	[NDP_SKIP_NO_RULE] = "no_rule",
	[NDP_SKIP_OWN_ADDRESS] = "own_address",
	[NDP_SKIP_ON_UPSTREAM] = "on_upstream_link",
	[NDP_SKIP_DAD_STATIC] = "dad_static",
	[NDP_SKIP_DAD_UNCONFIRMED] = "dad_unconfirmed",
	[NDP_SKIP_NEGATIVE] = "negative_cache",
	[NDP_SKIP_NO_ROUTE] = "no_route",
	[NDP_SKIP_IFACE_DOWN] = "downstream_absent",
	[NDP_SKIP_RATE_LIMIT] = "probe_rate_limit",
	[NDP_SKIP_CACHE_FULL] = "cache_full",
	[NDP_SKIP_SEND_FAILED] = "send_failed",
};

const char *ndp_skip_name(enum ndp_skip s)
{
	return (unsigned)s < NDP_SKIP__N ? skip_names[s] : "?";
}

double ndp_bucket_level(const struct ndp_bucket *b, uint32_t rate, int64_t now)
{
	double t = b->tokens + (double)(now - b->at) * rate / 1000.0;

	return t > rate ? rate : t;
}

bool ndp_bucket_take(struct ndp_bucket *b, uint32_t rate, int64_t now)
{
	b->tokens = ndp_bucket_level(b, rate, now);
	b->at = now;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

bool ndp_na_plan(const struct ndp_proxy *p, const struct ndp_link *up,
		 const struct in6_addr *target, const struct in6_addr *solicitor,
		 const uint8_t solicitor_mac[6], struct ndp_na *na)
{
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static const struct in6_addr all_nodes = { { { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						       0, 0, 0, 1 } } };
	bool dad = IN6_IS_ADDR_UNSPECIFIED(solicitor);

	if (!up || !up->has_mac)
		return false;
	memset(na, 0, sizeof(*na));
	na->ifindex = up->ifindex;
	/* Link-local source by default; some providers only accept the
	 * target itself as source. */
	na->src = p->na_src_target || !up->has_ll ? *target : up->ll;
	/* RFC 4861 7.2.4: an unspecified source (DAD, RFC 4862 5.4.3) is
	 * answered to all-nodes without the solicited flag. */
	na->dst = dad ? all_nodes : *solicitor;
	na->target = *target;
	memcpy(na->tlla, up->mac, 6);
	memcpy(na->dst_mac, dad ? all_nodes_mac : solicitor_mac, 6);
	if (p->router)
		na->flags |= NDP_NA_ROUTER;
	if (!dad)
		na->flags |= NDP_NA_SOLICITED;
	if (p->override)
		na->flags |= NDP_NA_OVERRIDE; /* RFC 4861 7.2.8: off unless asked */
	return true;
}

static enum ndp_action not_answered(struct ndp_decision *out, enum ndp_skip why)
{
	out->why = why;
	return NDP_ACT_SKIP;
}

static enum ndp_action answer_now(const struct ndp_answer_view *v, const struct ndp_ns *ns,
				  const uint8_t src_mac[6], struct ndp_decision *out)
{
	const struct ndp_link *up = ndp_link_by_index(v->kernel, v->up_ifindex);

	return ndp_na_plan(v->proxy, up, &ns->target, &ns->src, src_mac, &out->na)
		       ? NDP_ACT_ANSWER : NDP_ACT_NONE;
}

/* The downstream link a new target is probed on, or why there is none. */
static int downstream_of(const struct ndp_answer_view *v, const struct ndp_rule *r,
			 const struct in6_addr *target, enum ndp_skip *why)
{
	const struct ndp_link *l;
	int ifindex;

	if (r->method == NDP_IFACE) {
		l = ndp_link_by_name(v->kernel, r->iface);
		ifindex = l ? l->ifindex : 0;
	} else {
		ifindex = v->route_oif(v->route_ctx, target);
		/* A route back out upstream, or into ourselves, is no place to
		 * look for the target. */
		if (!ifindex || ifindex == v->up_ifindex ||
		    !(l = ndp_link_by_index(v->kernel, ifindex)) || (l->flags & IFF_LOOPBACK)) {
			*why = NDP_SKIP_NO_ROUTE;
			return 0;
		}
	}
	if (!ifindex || !ndp_link_is_up(ndp_link_by_index(v->kernel, ifindex))) {
		*why = NDP_SKIP_IFACE_DOWN;
		return 0;
	}
	return ifindex;
}

static enum ndp_action decide_ns(const struct ndp_answer_view *v, const struct ndp_ns *ns,
				 const uint8_t src_mac[6], int64_t now, struct ndp_decision *out)
{
	const struct ndp_proxy *p = v->proxy;
	const struct ndp_rule *r;
	const struct ndp_entry *e;
	enum ndp_skip why;

	/* The solicitor's source is never taken as proof that an address
	 * lives upstream: anyone on the link can send an NS from any source,
	 * and one such packet used to silence answers for that address. */
	if (ndp_is_own(v->kernel, &ns->target))
		return not_answered(out, NDP_SKIP_OWN_ADDRESS);
	if (ndp_upneigh_has(v->kernel, &ns->target, v->up_ifindex))
		return not_answered(out, NDP_SKIP_ON_UPSTREAM);
	if (!(r = ndp_rule_match(p, &ns->target)))
		return not_answered(out, NDP_SKIP_NO_RULE);
	if (r->method == NDP_STATIC) {
		/* Never claim a whole prefix against someone's DAD. */
		if (ns->dad)
			return not_answered(out, NDP_SKIP_DAD_STATIC);
		return answer_now(v, ns, src_mac, out);
	}
	if ((e = ndp_cache_find(v->cache, &ns->target))) {
		switch (e->state) {
		case NDP_VALID:
		case NDP_REFRESH:
			return answer_now(v, ns, src_mac, out);
		case NDP_INVALID:
			return not_answered(out, NDP_SKIP_NEGATIVE);
		default:
			/* Pending: the target has not answered downstream yet, so
			 * a DAD probe gets no claim from us. */
			if (ns->dad)
				return not_answered(out, NDP_SKIP_DAD_UNCONFIRMED);
			return NDP_ACT_WAIT;
		}
	}
	/* DAD never creates state: a probe storm for free otherwise. */
	if (ns->dad)
		return not_answered(out, NDP_SKIP_DAD_UNCONFIRMED);
	if (!(out->ifindex = downstream_of(v, r, &ns->target, &why)))
		return not_answered(out, why);
	if (ndp_bucket_level(v->probes, v->probe_rate, now) < 1.0)
		return not_answered(out, NDP_SKIP_RATE_LIMIT);
	out->rule = (uint16_t)(r - p->rules);
	out->evict = v->cache->n >= v->cache->max;
	out->deadline = now + p->timeout_ms;
	return NDP_ACT_PROBE;
}

void ndp_answer_decide(const struct ndp_answer_view *v, const struct ndp_ns *ns,
		       const uint8_t src_mac[6], int64_t now, struct ndp_decision *out)
{
	memset(out, 0, sizeof(*out));
	out->act = decide_ns(v, ns, src_mac, now, out);
}

void ndp_entry_wait(struct ndp_entry *e, const struct in6_addr *solicitor, const uint8_t mac[6],
		    uint16_t proxy)
{
	for (unsigned i = 0; i < e->nwait; i++)
		if (!memcmp(&e->wait[i].addr, solicitor, 16) && e->wait[i].proxy == proxy) {
			memcpy(e->wait[i].mac, mac, 6);
			return;
		}
	if (e->nwait == NDP_WAITERS) {
		memmove(&e->wait[0], &e->wait[1], sizeof(e->wait[0]) * (NDP_WAITERS - 1));
		e->nwait--;
	}
	e->wait[e->nwait].addr = *solicitor;
	memcpy(e->wait[e->nwait].mac, mac, 6);
	e->wait[e->nwait++].proxy = proxy;
}
