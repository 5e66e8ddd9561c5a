/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy: Neighbor Discovery proxy, the successor to ndppd.
 *
 * Layout.  Pure (unit tests and fuzzers call them): conf.c (config
 * parser, ndppd grammar), nd.c (packet parsing, validation and
 * construction), filter.c (the upstream BPF filter), cache.c (hashed
 * bounded cache with a deadline heap), kernel.c (lookups in what netlink
 * reported), answer.c (whether and how to answer an NS).
 * The daemon (daemon.h): daemon.c (setup and the event loop), upstream.c
 * (upstream sockets, NS in), respond.c (carrying out answer decisions,
 * NAs out), probe.c (downstream probes, timers), netevents.c (kernel
 * changes, autowired routes), reload.c (SIGHUP), links.c (netlink, never
 * calling back), ctl.c (control socket, a read-only view), sys.c (process
 * plumbing).  client.c is `ndproxy status`. */
#ifndef NDPROXY_H
#define NDPROXY_H

#include "v6util.h"

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>
#include <netinet/in.h>

#define NDP_DEFAULT_CONF "/etc/v6kit/ndproxy.conf"
#define NDP_DEFAULT_USER "" /* v6kit, else nobody: tools/service.h */

/* ---- conf.c: configuration (pure) ---------------------------------- */

enum ndp_method { NDP_STATIC, NDP_IFACE, NDP_AUTO };

struct ndp_rule {
	struct v6_prefix prefix;
	enum ndp_method method;
	char iface[16]; /* NDP_IFACE only */
	bool autovia;
	unsigned line;
};

struct ndp_proxy {
	char iface[16];
	bool router, override, promisc, autowire, keepalive, na_src_target;
	uint32_t ttl_ms, deadtime_ms, timeout_ms, retries;
	struct ndp_rule *rules;
	size_t nrules;
	unsigned line;
};

/* Cache entries name their proxy and rule by 16-bit index (they are kept
 * small), and one index value means "no proxy" during a reload. */
#define NDP_MAX_PROXIES UINT16_MAX
#define NDP_MAX_RULES UINT16_MAX

#define NDP_MAX_WARN 8
struct ndp_conf {
	struct ndp_proxy *proxies;
	size_t nproxies;
	uint32_t cache_max;  /* entries, all proxies together */
	uint32_t probe_rate; /* downstream probes per second */
	char user[33];
	unsigned nwarn;
	char warn[NDP_MAX_WARN][160];
};

/* Parse a whole file; errors read "SOURCE:LINE: message". */
int ndp_conf_parse(const char *text, size_t len, const char *source, struct ndp_conf *conf,
		   struct v6_err *err);
int ndp_conf_load(const char *path, struct ndp_conf *conf, struct v6_err *err);
/* The command-line form: one proxy on upstream with one rule per prefix. */
int ndp_conf_cmdline(const char *upstream, char **prefixes, size_t nprefixes,
		     enum ndp_method method, const char *downstream, struct ndp_conf *conf,
		     struct v6_err *err);
void ndp_conf_free(struct ndp_conf *conf);
/* First rule of proxy whose prefix holds target, or NULL. */
const struct ndp_rule *ndp_rule_match(const struct ndp_proxy *p, const struct in6_addr *target);
const char *ndp_method_name(enum ndp_method m);
/* Copy src into dst (dstlen > 0) with control and non-ASCII bytes shown
 * as \xNN, so text from a file or the command line never reaches a
 * terminal or the log as raw bytes (OpenBSD's strvis(3) in spirit). */
void ndp_vis(char *dst, size_t dstlen, const char *src);

/* ---- nd.c: packets (pure) ------------------------------------------ */

/* Why a Neighbor Solicitation was dropped, in the order the layers are
 * checked (RFC 4861 7.1.1).  NDP_PKT_NOT_NS is not an NS at all. */
enum ndp_verdict {
	NDP_PKT_OK = 0,
	NDP_PKT_NOT_NS,
	NDP_PKT_TRUNCATED,
	NDP_PKT_EXTHDR,
	NDP_PKT_FRAGMENT,
	NDP_PKT_HOPLIMIT,
	NDP_PKT_CHECKSUM,
	NDP_PKT_CODE,
	NDP_PKT_LENGTH,
	NDP_PKT_MCAST_TARGET,
	NDP_PKT_OPTION,
	NDP_PKT_UNSPEC_DST,
	NDP_PKT_UNSPEC_SLLA,
	NDP_PKT_DST_MISMATCH,
	NDP_PKT_MCAST_SRC,
	NDP_PKT__N
};
const char *ndp_verdict_name(enum ndp_verdict v);

struct ndp_ns {
	struct in6_addr src, dst, target;
	bool dad; /* unspecified source: Duplicate Address Detection */
	bool has_slla;
	uint8_t slla[6];
};

/* pkt starts at the IPv6 header. */
enum ndp_verdict ndp_parse_ns(const uint8_t *pkt, size_t len, struct ndp_ns *ns);

enum { NDP_NA_ROUTER = 0x80, NDP_NA_SOLICITED = 0x40, NDP_NA_OVERRIDE = 0x20 };
#define NDP_NA_LEN (40 + 24 + 8)
/* A whole IPv6 packet (header, NA, target link-layer option) into buf
 * (at least NDP_NA_LEN bytes), checksum included; returns its length. */
size_t ndp_build_na(uint8_t *buf, const struct in6_addr *src, const struct in6_addr *dst,
		    const struct in6_addr *target, unsigned flags, const uint8_t tlla[6]);
/* The ICMPv6 part of a multicast NS probe with a source link-layer
 * option (the kernel adds header and checksum on a raw socket). */
#define NDP_NS_ICMP_LEN (24 + 8)
size_t ndp_build_ns_icmp(uint8_t *buf, const struct in6_addr *target, const uint8_t slla[6]);
/* An NA's ICMPv6 part as a raw socket delivers it; 0 and *target when it
 * is a well-formed NA (RFC 4861 7.1.2), -1 otherwise. */
int ndp_parse_na_icmp(const uint8_t *icmp, size_t len, int hoplimit, struct in6_addr *target);
void ndp_solicited_node(const struct in6_addr *target, struct in6_addr *out);

/* ---- filter.c: the upstream socket filter (pure) --------------------- */

/* Extension headers the parser walks before giving up (bad_ext_header). */
#define NDP_FILTER_EXTHDRS 8
#define NDP_FILTER_MAX 192
/* Classic BPF over a packet whose IPv6 header starts at byte base (0 on
 * a SOCK_DGRAM packet socket or an AF_UNIX datagram, 14 behind an
 * Ethernet header) into prog (NDP_FILTER_MAX slots); returns its length,
 * 0 on an internal error.  It accepts a packet only when ndp_parse_ns()
 * would not call it NDP_PKT_NOT_NS, and every packet it calls NDP_PKT_OK. */
size_t ndp_filter_build(struct sock_filter *prog, unsigned base);

/* ---- cache.c: hashed, bounded, with a deadline heap ---------------- */

enum ndp_state { NDP_PENDING, NDP_VALID, NDP_INVALID, NDP_REFRESH };
const char *ndp_state_name(enum ndp_state s);

#define NDP_WAITERS 2
struct ndp_waiter {
	struct in6_addr addr;
	uint8_t mac[6];
	uint16_t proxy;
};

/* Kept small: the benchmark budget is 128 bytes per cached target,
 * counting the hash bucket and heap slot. */
struct ndp_entry {
	struct in6_addr target;
	int64_t deadline; /* ms, CLOCK_MONOTONIC */
	uint32_t born_s;  /* seconds, for the age in status */
	uint32_t hnext;   /* index + 1 of the next entry in the bucket */
	uint32_t heap;    /* position in the heap */
	int32_t ifindex;  /* downstream interface */
	uint16_t proxy, rule;
	uint8_t state, tries, nwait, wired;
	struct ndp_waiter wait[NDP_WAITERS];
};

_Static_assert(NDP_MAX_RULES - 1 <= (__typeof__(((struct ndp_entry *)0)->rule))~0u,
	       "every rule index fits an entry's rule field");
_Static_assert(NDP_MAX_PROXIES <= (__typeof__(((struct ndp_entry *)0)->proxy))~0u,
	       "every proxy index, and nproxies as 'none', fit an entry's proxy field");

struct ndp_cache {
	struct ndp_entry *v;
	uint32_t *buckets, *heap;
	uint32_t n, cap, used, max, nbuckets, free_head;
	uint32_t seed;
};

int ndp_cache_init(struct ndp_cache *c, uint32_t max, uint32_t seed);
void ndp_cache_free(struct ndp_cache *c);
/* The entry is the cache's own (not const): the caller decides. */
struct ndp_entry *ndp_cache_find(const struct ndp_cache *c, const struct in6_addr *target);
/* NULL when full (evict first) or out of memory. */
struct ndp_entry *ndp_cache_add(struct ndp_cache *c, const struct in6_addr *target,
				int64_t deadline);
void ndp_cache_set_deadline(struct ndp_cache *c, struct ndp_entry *e, int64_t deadline);
void ndp_cache_remove(struct ndp_cache *c, struct ndp_entry *e);
/* Visit every entry exactly once; fn returns true to have it removed
 * (having done what removal needs, such as unwiring).  Removal moves heap
 * positions, never slots, so one pass over the slots suffices: linear in
 * the cache's size, where restarting after each removal was quadratic.
 * fn must not add entries.  Returns how many were removed. */
typedef bool (*ndp_cache_visit_fn)(struct ndp_entry *e, void *ctx);
uint32_t ndp_cache_sweep(struct ndp_cache *c, ndp_cache_visit_fn fn, void *ctx);
/* The entry with the earliest deadline, or NULL when empty. */
struct ndp_entry *ndp_cache_earliest(const struct ndp_cache *c);
static inline const struct ndp_entry *ndp_cache_at(const struct ndp_cache *c, uint32_t pos)
{
	return &c->v[c->heap[pos]];
}

#endif
