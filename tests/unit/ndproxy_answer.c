/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's answer decision: every rule kind, DAD (RFC 4861 7.2.4,
 * RFC 4862 5.4.3), unicast NS, cached, pending and dead targets, the
 * probe budget and the bound on the cache, with no socket and no kernel. */
#include "../../tools/ndproxy/answer.h"
#include "unit.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

static struct in6_addr A(const char *s)
{
	struct in6_addr a;
	inet_pton(AF_INET6, s, &a);
	return a;
}

static struct ndp_rule rule(const char *prefix, unsigned len, enum ndp_method m,
			    const char *iface)
{
	struct ndp_rule r = { .method = m };
	r.prefix.addr.family = AF_INET6;
	r.prefix.addr.v6 = A(prefix);
	r.prefix.len = len;
	snprintf(r.iface, sizeof(r.iface), "%s", iface ? iface : "");
	return r;
}

enum { UP = 2, DOWN = 3, DEAD = 4, LO = 1 };
static const uint8_t up_mac[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t asker[6] = { 2, 0, 0, 0, 0, 0x99 };

static struct ndp_rule rules[4];
static struct ndp_proxy proxy;
static struct ndp_link links[4];
static struct ndp_own own[1];
static struct ndp_kernel kernel;
static struct ndp_cache cache;
static struct ndp_bucket bucket;
static struct ndp_answer_view view;
static int route_answer, route_asked;

static int fake_route(void *ctx, const struct in6_addr *target)
{
	(void)ctx;
	(void)target;
	route_asked++;
	return route_answer;
}

/* Upstream r0 (2), downstream d0 (3, up), d1 (4, down), lo (1).
 * 2001:db8:1::/64 static, 2001:db8:2::/64 iface d0, 2001:db8:3::/64
 * iface d1, 2001:db8::/32 auto. */
static void setup(void)
{
	static struct ndp_kernel k0;

	rules[0] = rule("2001:db8:1::", 64, NDP_STATIC, NULL);
	rules[1] = rule("2001:db8:2::", 64, NDP_IFACE, "d0");
	rules[2] = rule("2001:db8:3::", 64, NDP_IFACE, "d1");
	rules[3] = rule("2001:db8::", 32, NDP_AUTO, NULL);
	proxy = (struct ndp_proxy){ .iface = "r0", .rules = rules, .nrules = 4,
				    .timeout_ms = 500, .ttl_ms = 30000 };
	links[0] = (struct ndp_link){ .ifindex = LO, .name = "lo", .flags = IFF_UP | IFF_LOOPBACK };
	links[1] = (struct ndp_link){ .ifindex = UP, .name = "r0", .flags = IFF_UP,
				      .has_mac = true, .has_ll = true, .ll = A("fe80::2") };
	memcpy(links[1].mac, up_mac, 6);
	links[2] = (struct ndp_link){ .ifindex = DOWN, .name = "d0", .flags = IFF_UP,
				      .has_mac = true };
	links[3] = (struct ndp_link){ .ifindex = DEAD, .name = "d1", .flags = 0, .has_mac = true };
	own[0] = (struct ndp_own){ .addr = A("2001:db8:1::1"), .ifindex = UP };
	kernel = k0;
	kernel.links = links;
	kernel.nlinks = 4;
	kernel.own = own;
	kernel.nown = 1;
	ndp_cache_free(&cache);
	ndp_cache_init(&cache, 4, 1);
	bucket = (struct ndp_bucket){ .tokens = 10, .at = 1000 };
	view = (struct ndp_answer_view){ .proxy = &proxy, .up_ifindex = UP, .kernel = &kernel,
					 .cache = &cache, .probes = &bucket, .probe_rate = 10,
					 .route_oif = fake_route };
	route_answer = DOWN;
	route_asked = 0;
}

static struct ndp_ns ns_for(const char *target, const char *src)
{
	struct ndp_ns ns = { .target = A(target), .src = A(src) };
	ns.dad = IN6_IS_ADDR_UNSPECIFIED(&ns.src);
	ns.dst = A("ff02::1:ff00:1");
	return ns;
}

static struct ndp_decision decide(const char *target, const char *src)
{
	struct ndp_ns ns = ns_for(target, src);
	struct ndp_decision d;

	ndp_answer_decide(&view, &ns, asker, 1000, &d);
	return d;
}

static bool skipped(struct ndp_decision d, enum ndp_skip why)
{
	return d.act == NDP_ACT_SKIP && d.why == why;
}

static struct ndp_entry *cached(const char *target, enum ndp_state st)
{
	struct in6_addr t = A(target);
	struct ndp_entry *e = ndp_cache_add(&cache, &t, 5000);
	e->state = st;
	e->ifindex = DOWN;
	return e;
}

static void static_rule(void)
{
	struct ndp_decision d;
	struct in6_addr t = A("2001:db8:1::5"), s = A("fe80::99"), ll = A("fe80::2");

	setup();
	d = decide("2001:db8:1::5", "fe80::99");
	ok(d.act == NDP_ACT_ANSWER, "static: a unicast NS is answered at once");
	ok(!memcmp(&d.na.dst, &s, 16) && !memcmp(d.na.dst_mac, asker, 6),
	   "static: the NA goes back to the solicitor's address and MAC");
	ok(!memcmp(&d.na.target, &t, 16) && !memcmp(&d.na.src, &ll, 16) &&
		   !memcmp(d.na.tlla, up_mac, 6) && d.na.ifindex == UP,
	   "static: from the upstream link-local, our MAC as target link-layer address");
	ok(d.na.flags == NDP_NA_SOLICITED, "static: S set; R and O off unless configured");
	ok(route_asked == 0 && cache.n == 0, "static: no route asked, no cache entry");

	proxy.router = proxy.override = proxy.na_src_target = true;
	d = decide("2001:db8:1::5", "fe80::99");
	ok(d.na.flags == (NDP_NA_ROUTER | NDP_NA_SOLICITED | NDP_NA_OVERRIDE),
	   "static: router and override set R and O (RFC 4861 7.2.4)");
	ok(!memcmp(&d.na.src, &t, 16), "static: na-source target sends from the target itself");

	setup();
	links[1].has_ll = false;
	d = decide("2001:db8:1::5", "fe80::99");
	ok(d.act == NDP_ACT_ANSWER && !memcmp(&d.na.src, &t, 16),
	   "static: no link-local on upstream yet: the target is the source");
	links[1].has_mac = false;
	d = decide("2001:db8:1::5", "fe80::99");
	ok(d.act == NDP_ACT_NONE, "static: an upstream link without a MAC: nothing to send");

	setup();
	ok(skipped(decide("2001:db8:1::5", "::"), NDP_SKIP_DAD_STATIC),
	   "static: DAD is never answered for a whole prefix");
}

static void filters(void)
{
	setup();
	ok(skipped(decide("2001:db8:1::1", "fe80::99"), NDP_SKIP_OWN_ADDRESS),
	   "an address of our own is never proxied");
	ok(skipped(decide("2001:db9::1", "fe80::99"), NDP_SKIP_NO_RULE), "no rule: no answer");
	struct in6_addr t = A("2001:db8:1::7");
	ndp_upneigh_note(&kernel, &t, UP);
	ok(skipped(decide("2001:db8:1::7", "fe80::99"), NDP_SKIP_ON_UPSTREAM),
	   "a neighbour confirmed on the upstream link is not ours to answer for");
	ndp_upneigh_forget(&kernel, &t, UP);
	ndp_upneigh_note(&kernel, &t, DOWN);
	ok(decide("2001:db8:1::7", "fe80::99").act == NDP_ACT_ANSWER,
	   "one confirmed on another link does not silence the answer");
}

static void iface_rule(void)
{
	struct ndp_decision d;

	setup();
	d = decide("2001:db8:2::5", "fe80::99");
	ok(d.act == NDP_ACT_PROBE && d.ifindex == DOWN && d.rule == 1 && d.deadline == 1500 &&
		   !d.evict,
	   "iface: a new target is probed on the rule's link, pending until now + timeout");
	ok(route_asked == 0, "iface: no route asked");
	ok(skipped(decide("2001:db8:3::5", "fe80::99"), NDP_SKIP_IFACE_DOWN),
	   "iface: a link that is down gets no probe");
	snprintf(rules[1].iface, sizeof(rules[1].iface), "gone0");
	ok(skipped(decide("2001:db8:2::5", "fe80::99"), NDP_SKIP_IFACE_DOWN),
	   "iface: an absent link gets no probe");
	setup();
	ok(skipped(decide("2001:db8:2::5", "::"), NDP_SKIP_DAD_UNCONFIRMED) && cache.n == 0,
	   "iface: DAD for an unknown target creates no state");
}

static void auto_rule(void)
{
	struct ndp_decision d;

	setup();
	d = decide("2001:db8:9::5", "fe80::99");
	ok(d.act == NDP_ACT_PROBE && d.ifindex == DOWN && d.rule == 3 && route_asked == 1,
	   "auto: probed on the link of the kernel's route");
	route_answer = 0;
	ok(skipped(decide("2001:db8:9::5", "fe80::99"), NDP_SKIP_NO_ROUTE), "auto: no route");
	route_answer = UP;
	ok(skipped(decide("2001:db8:9::5", "fe80::99"), NDP_SKIP_NO_ROUTE),
	   "auto: a route back out upstream is none");
	route_answer = LO;
	ok(skipped(decide("2001:db8:9::5", "fe80::99"), NDP_SKIP_NO_ROUTE),
	   "auto: a route into loopback is none");
	route_answer = 77;
	ok(skipped(decide("2001:db8:9::5", "fe80::99"), NDP_SKIP_NO_ROUTE),
	   "auto: a route through an unknown link is none");
	route_answer = DEAD;
	ok(skipped(decide("2001:db8:9::5", "fe80::99"), NDP_SKIP_IFACE_DOWN),
	   "auto: a route through a link that is down");
	route_asked = 0;
	ok(skipped(decide("2001:db8:9::5", "::"), NDP_SKIP_DAD_UNCONFIRMED) && route_asked == 0,
	   "auto: DAD for an unknown target asks no route and creates no state");
}

static void cached_targets(void)
{
	struct ndp_decision d;
	struct in6_addr s = A("fe80::99"), all = A("ff02::1");
	static const uint8_t all_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

	setup();
	cached("2001:db8:2::a", NDP_VALID);
	cached("2001:db8:2::b", NDP_REFRESH);
	cached("2001:db8:2::c", NDP_INVALID);
	cached("2001:db8:9::d", NDP_PENDING);
	d = decide("2001:db8:2::a", "fe80::99");
	ok(d.act == NDP_ACT_ANSWER && !memcmp(&d.na.dst, &s, 16) &&
		   d.na.flags == NDP_NA_SOLICITED,
	   "valid: answered to the solicitor, solicited");
	d = decide("2001:db8:2::a", "::");
	ok(d.act == NDP_ACT_ANSWER && !memcmp(&d.na.dst, &all, 16) &&
		   !memcmp(d.na.dst_mac, all_mac, 6) && d.na.flags == 0,
	   "valid, DAD: answered to all-nodes, S clear (RFC 4861 7.2.4)");
	ok(decide("2001:db8:2::b", "fe80::99").act == NDP_ACT_ANSWER,
	   "refreshing: still answered meanwhile");
	ok(skipped(decide("2001:db8:2::c", "fe80::99"), NDP_SKIP_NEGATIVE),
	   "dead (deadtime): not answered");
	route_asked = 0;
	ok(decide("2001:db8:9::d", "fe80::99").act == NDP_ACT_WAIT && route_asked == 0,
	   "pending: the solicitor waits, no second probe, no route asked");
	ok(skipped(decide("2001:db8:9::d", "::"), NDP_SKIP_DAD_UNCONFIRMED),
	   "pending, DAD: no claim before the target answered");
	/* A cached entry wins over a route that has gone since. */
	route_answer = 0;
	ok(decide("2001:db8:9::d", "fe80::99").act == NDP_ACT_WAIT,
	   "pending: the route is not asked again");
}

static void budget(void)
{
	struct ndp_decision d;

	setup();
	bucket = (struct ndp_bucket){ .tokens = 0.5, .at = 1000 };
	ok(skipped(decide("2001:db8:2::5", "fe80::99"), NDP_SKIP_RATE_LIMIT),
	   "less than one probe token: rate limited");
	ok(decide("2001:db8:1::5", "fe80::99").act == NDP_ACT_ANSWER,
	   "the probe budget never limits answers that need no probe");
	bucket = (struct ndp_bucket){ .tokens = 0.5, .at = 950 };
	ok(decide("2001:db8:2::5", "fe80::99").act == NDP_ACT_PROBE,
	   "50 ms at 10/s refills half a token: enough");
	ok(ndp_bucket_level(&bucket, 10, 100000) == 10.0, "the bucket holds a second's worth");
	ok(ndp_bucket_take(&bucket, 10, 100000) && bucket.tokens == 9.0 && bucket.at == 100000,
	   "taking refills to now, then takes one");
	bucket = (struct ndp_bucket){ .tokens = 0.2, .at = 100000 };
	ok(!ndp_bucket_take(&bucket, 10, 100000) && bucket.tokens == 0.2, "none taken when empty");

	setup();
	cached("2001:db8:2::a", NDP_VALID);
	cached("2001:db8:2::b", NDP_VALID);
	cached("2001:db8:2::c", NDP_VALID);
	ok(decide("2001:db8:2::5", "fe80::99").evict == false, "room left: nothing evicted");
	cached("2001:db8:2::d", NDP_VALID);
	d = decide("2001:db8:2::5", "fe80::99");
	ok(d.act == NDP_ACT_PROBE && d.evict, "a full cache evicts the earliest for a new target");
	ok(cache.n == 4, "deciding changes nothing");
}

static void waiters(void)
{
	struct in6_addr a = A("fe80::a"), b = A("fe80::b"), c = A("fe80::c");
	static const uint8_t m1[6] = { 2, 0, 0, 0, 0, 1 }, m2[6] = { 2, 0, 0, 0, 0, 2 };
	struct ndp_entry e = { 0 };

	ndp_entry_wait(&e, &a, m1, 0);
	ndp_entry_wait(&e, &a, m2, 0);
	ok(e.nwait == 1 && !memcmp(e.wait[0].mac, m2, 6),
	   "a solicitor asking again is listed once, at its latest MAC");
	ndp_entry_wait(&e, &a, m1, 1);
	ok(e.nwait == 2 && e.wait[1].proxy == 1, "the same address on another proxy is another waiter");
	ndp_entry_wait(&e, &b, m1, 0);
	ndp_entry_wait(&e, &c, m1, 0);
	ok(e.nwait == NDP_WAITERS && !memcmp(&e.wait[NDP_WAITERS - 1].addr, &c, 16) &&
		   !memcmp(&e.wait[NDP_WAITERS - 2].addr, &b, 16),
	   "a full list drops the oldest");
}

int main(void)
{
	static_rule();
	filters();
	iface_rule();
	auto_rule();
	cached_targets();
	budget();
	waiters();
	is_str(ndp_skip_name(NDP_SKIP_IFACE_DOWN), "downstream_absent",
	       "reason names are the status keys");
	ndp_cache_free(&cache);
	return done_testing();
}
