/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: every NS the parser accepts, through the answer
 * decision, against a fixed proxy with one rule of each kind and a cache
 * the input fills.  What it checks is what RFC 4861 7.2.4 and our own
 * safety rules promise, whatever the packet. */
#include "../tools/ndproxy/answer.c"
#include "../tools/ndproxy/cache.c"
#include "../tools/ndproxy/conf.c"
#include "../tools/ndproxy/kernel.c"
#include "../tools/ndproxy/nd.c"

static int route_to_down(void *ctx, const struct in6_addr *target)
{
	(void)ctx;
	return target->s6_addr[15] & 1 ? 3 : 2; /* odd: downstream, even: back upstream */
}

static struct ndp_rule rule(uint8_t third, enum ndp_method m, const char *iface)
{
	struct ndp_rule r = { .method = m, .prefix = { .addr = { .family = AF_INET6 }, .len = 48 } };
	static const uint8_t base[6] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0 };

	memcpy(r.prefix.addr.bytes, base, 6);
	r.prefix.addr.bytes[5] = third;
	snprintf(r.iface, sizeof(r.iface), "%s", iface);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 9 };
	struct ndp_rule rules[3] = { rule(1, NDP_STATIC, ""), rule(2, NDP_IFACE, "d0"),
				     rule(3, NDP_AUTO, "") };
	struct ndp_proxy p = { .iface = "r0", .rules = rules, .nrules = 3, .timeout_ms = 500 };
	struct ndp_link links[2] = {
		{ .ifindex = 2, .name = "r0", .flags = IFF_UP, .has_mac = true, .mac = { 2 } },
		{ .ifindex = 3, .name = "d0", .flags = IFF_UP, .has_mac = true, .mac = { 3 } },
	};
	static struct ndp_kernel k;
	struct ndp_own own = { .ifindex = 2 };
	struct ndp_cache c;
	struct ndp_bucket b = { .tokens = 1, .at = 0 };
	struct ndp_ns ns;
	struct ndp_decision d;

	if (size < 1 || ndp_parse_ns(data + 1, size - 1, &ns) != NDP_PKT_OK)
		return 0;
	k.links = links;
	k.nlinks = 2;
	k.own = &own;
	k.nown = 1;
	if (data[0] & 8)
		own.addr = ns.target;
	ndp_cache_init(&c, 2, 1);
	/* The first byte says whether the target is ours, cached, and how. */
	if (data[0] & 4) {
		struct ndp_entry *e = ndp_cache_add(&c, &ns.target, 10);
		e->state = data[0] & 3;
		e->ifindex = 3;
	}
	struct ndp_answer_view v = { .proxy = &p, .up_ifindex = 2, .kernel = &k, .cache = &c,
				     .probes = &b, .probe_rate = 1, .route_oif = route_to_down };
	ndp_answer_decide(&v, &ns, mac, 0, &d);
	if (d.act > NDP_ACT_PROBE || (d.act == NDP_ACT_SKIP && d.why >= NDP_SKIP__N))
		__builtin_trap();
	/* Never for an address of our own. */
	if (d.act != NDP_ACT_SKIP && !memcmp(&ns.target, &own.addr, 16))
		__builtin_trap();
	/* DAD neither creates state nor waits; answered, it goes to all-nodes
	 * without S; otherwise back to the solicitor with S. */
	if (ns.dad && (d.act == NDP_ACT_PROBE || d.act == NDP_ACT_WAIT))
		__builtin_trap();
	if (d.act == NDP_ACT_ANSWER &&
	    (ns.dad ? d.na.dst.s6_addr[0] != 0xff || (d.na.flags & NDP_NA_SOLICITED)
		    : memcmp(&d.na.dst, &ns.src, 16) || !(d.na.flags & NDP_NA_SOLICITED) ||
			      memcmp(d.na.dst_mac, mac, 6)))
		__builtin_trap();
	if (d.act == NDP_ACT_PROBE && d.ifindex != 3)
		__builtin_trap();
	/* Never from a multicast source (RFC 4861 7.2.4: a unicast one). */
	if (d.act == NDP_ACT_ANSWER && d.na.src.s6_addr[0] == 0xff)
		__builtin_trap();
	ndp_cache_free(&c);
	return 0;
}
