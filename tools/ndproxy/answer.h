/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether and how to answer one valid Neighbor Solicitation, decided
 * without touching a socket, the clock or any state: the daemon carries
 * out what ndp_answer_decide() returns (tests/unit/ndproxy_answer.c). */
#ifndef NDPROXY_ANSWER_H
#define NDPROXY_ANSWER_H

#include "kernel.h"
#include "ndproxy.h"

/* Why a well-formed NS got no answer (packet-level reasons are
 * enum ndp_verdict). */
enum ndp_skip {
	NDP_SKIP_NO_RULE,
	NDP_SKIP_OWN_ADDRESS,
	NDP_SKIP_ON_UPSTREAM,
	NDP_SKIP_DAD_STATIC,
	NDP_SKIP_DAD_UNCONFIRMED,
	NDP_SKIP_NEGATIVE,
	NDP_SKIP_NO_ROUTE,
	NDP_SKIP_IFACE_DOWN,
	NDP_SKIP_RATE_LIMIT,
	NDP_SKIP_CACHE_FULL,
	NDP_SKIP_SEND_FAILED,
	NDP_SKIP__N
};
const char *ndp_skip_name(enum ndp_skip s);

/* Token bucket for downstream probes, refilled when asked: no timer. */
struct ndp_bucket {
	double tokens;
	int64_t at; /* ms of the last refill */
};
/* Tokens there would be at now (at most rate, a second's worth). */
double ndp_bucket_level(const struct ndp_bucket *b, uint32_t rate, int64_t now);
/* Refill to now and take one token; false (and none taken) when less
 * than one is there. */
bool ndp_bucket_take(struct ndp_bucket *b, uint32_t rate, int64_t now);

/* One Neighbor Advertisement, ready for ndp_build_na(). */
struct ndp_na {
	int ifindex; /* the upstream link it leaves on */
	struct in6_addr src, dst, target;
	uint8_t tlla[6];    /* our MAC, the target link-layer option */
	uint8_t dst_mac[6];
	unsigned flags; /* NDP_NA_* */
};

/* The NA proxy p sends on its upstream link up for target to solicitor
 * (unspecified: a DAD probe) at solicitor_mac.  False when the link has
 * no MAC address to put in the target link-layer option. */
bool ndp_na_plan(const struct ndp_proxy *p, const struct ndp_link *up,
		 const struct in6_addr *target, const struct in6_addr *solicitor,
		 const uint8_t solicitor_mac[6], struct ndp_na *na);

/* What the decision reads: the proxy the NS reached, the kernel as
 * netlink reported it, the cache and the probe budget.  The kernel's route
 * to a target is the one fact not kept here; it is asked (route_oif: its
 * output interface, 0 when there is no usable unicast route) only for a
 * new target of an `auto` rule. */
struct ndp_answer_view {
	const struct ndp_proxy *proxy;
	int up_ifindex; /* the upstream link the NS came in on */
	const struct ndp_kernel *kernel;
	const struct ndp_cache *cache;
	const struct ndp_bucket *probes;
	uint32_t probe_rate;
	int (*route_oif)(void *ctx, const struct in6_addr *target);
	void *route_ctx;
};

enum ndp_action {
	NDP_ACT_SKIP,   /* not answered: count .why */
	NDP_ACT_NONE,   /* nothing can be sent and nothing is counted */
	NDP_ACT_ANSWER, /* send .na now */
	NDP_ACT_WAIT,   /* the target is being probed: remember the solicitor */
	/* A new pending entry for the target on .ifindex by .rule, expiring
	 * at .deadline, after evicting the earliest entry when .evict; then
	 * take a probe token, probe and remember the solicitor. */
	NDP_ACT_PROBE,
};

struct ndp_decision {
	enum ndp_action act;
	enum ndp_skip why;
	struct ndp_na na;
	int ifindex;
	uint16_t rule;
	bool evict;
	int64_t deadline;
};

/* ns has passed ndp_parse_ns(); src_mac is the frame's source, where an
 * answer to a unicast NS goes. */
void ndp_answer_decide(const struct ndp_answer_view *v, const struct ndp_ns *ns,
		       const uint8_t src_mac[6], int64_t now, struct ndp_decision *out);

/* Remember a solicitor of a pending target; the NA goes to it once the
 * target answers downstream.  A full list drops the oldest, which will
 * ask again; a solicitor already listed only gets its MAC refreshed. */
void ndp_entry_wait(struct ndp_entry *e, const struct in6_addr *solicitor, const uint8_t mac[6],
		    uint16_t proxy);

#endif
