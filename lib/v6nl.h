/* SPDX-License-Identifier: GPL-2.0-or-later */
/* v6kit route-netlink helpers over libnl-3/libnl-route-3.
 *
 * Every call returns 0 (or a count) on success and a negative errno on
 * failure, with a message in *err.  Nothing here prints or exits.  All
 * requests go through v6_nl_talk()/v6_nl_talk_many(), the one place that
 * sends, waits for acknowledgements and turns kernel errors into errno. */
#ifndef V6NL_H
#define V6NL_H

#include "v6sys.h"

#include <netlink/netlink.h>
#include <netlink/route/link.h>

struct v6_nl {
	struct nl_sock *sk;
};

/* Move the calling process into /run/netns/NAME (as `ip -n NAME` does).
 * Call before v6_nl_open(); sockets opened later live in that namespace. */
int v6_netns_enter(const char *name, struct v6_err *err);

int v6_nl_open(struct v6_nl *nl, struct v6_err *err);
void v6_nl_close(struct v6_nl *nl);

/* Send one request with NLM_F_ACK and wait for its acknowledgement.
 * msg is consumed.  The kernel's extended-ack text, if any, is in *err. */
int v6_nl_talk(struct v6_nl *nl, struct nl_msg *msg, struct v6_err *err);
/* Send n requests in as few system calls as the socket buffer allows and
 * collect one result per request into rc[] (0 or -errno); the kernel
 * handles each independently.  Messages are consumed.  Returns the number
 * of failed requests, or a negative errno when the conversation itself
 * broke (then rc[] is not meaningful). */
int v6_nl_talk_many(struct v6_nl *nl, struct nl_msg **msgs, size_t n, int *rc,
		    struct v6_err *err);
/* Dump request of `type` with a fixed header; cb sees every reply message
 * (return < 0 to stop with that error). */
struct nlmsghdr;
/* A request whose replies (one, or a dump's many) go to cb; msg is consumed. */
int v6_nl_query(struct v6_nl *nl, struct nl_msg *msg, int (*cb)(struct nlmsghdr *h, void *arg),
		void *arg, struct v6_err *err);
int v6_nl_dump(struct v6_nl *nl, int type, const void *hdr, size_t hdrlen,
	       int (*cb)(struct nlmsghdr *h, void *arg), void *arg, struct v6_err *err);
/* libnl's NLE_* to -errno, for results of libnl calls. */
int v6_nle_to_errno(int nle);

/* ---- links ------------------------------------------------------- */

struct v6_link {
	int ifindex;
	char name[16];
	char kind[16]; /* "" when the kernel reports none */
	char alias[64];
	unsigned flags; /* IFF_* */
	unsigned mtu;
	unsigned short type; /* ARPHRD_* */
	bool up;          /* administratively up */
	bool running;     /* IFF_RUNNING / oper up */
};

int v6_link_by_name(struct v6_nl *nl, const char *name, struct v6_link *out,
		    struct v6_err *err);
int v6_link_by_index(struct v6_nl *nl, int ifindex, struct v6_link *out,
		     struct v6_err *err);
int v6_link_set_up(struct v6_nl *nl, int ifindex, bool up, struct v6_err *err);
int v6_link_set_mtu(struct v6_nl *nl, int ifindex, unsigned mtu, struct v6_err *err);
int v6_link_set_alias(struct v6_nl *nl, int ifindex, const char *alias, struct v6_err *err);
int v6_link_delete(struct v6_nl *nl, int ifindex, struct v6_err *err);
/* Create a link described by a libnl object (kind-specific attributes set
 * by the caller) with NLM_F_CREATE|NLM_F_EXCL. */
int v6_link_create(struct v6_nl *nl, struct rtnl_link *link, struct v6_err *err);
/* Links carry their owner in IFLA_IFALIAS: "v6kit:TOOL".  Returns 1 when
 * the link exists and is owned by tool, 0 when it exists and is not,
 * -ENODEV when absent. */
int v6_link_owned(struct v6_nl *nl, const char *name, const char *tool, struct v6_err *err);
#define V6_LINK_ALIAS_PREFIX "v6kit:"

/* ---- addresses --------------------------------------------------- */

struct v6_ifaddr {
	int ifindex;
	struct v6_prefix prefix; /* address with its prefix length */
	unsigned flags;          /* IFA_F_* */
	unsigned char scope;
};

int v6_addr_add(struct v6_nl *nl, int ifindex, const struct v6_prefix *p, unsigned ifa_flags,
		struct v6_err *err);
int v6_addr_del(struct v6_nl *nl, int ifindex, const struct v6_prefix *p, struct v6_err *err);
/* Fill *out (malloc'd, caller frees) with addresses of family (AF_UNSPEC:
 * all) on ifindex (0: all links).  Returns the count. */
int v6_addr_list(struct v6_nl *nl, int ifindex, int family, struct v6_ifaddr **out,
		 struct v6_err *err);

/* ---- routes ------------------------------------------------------ */

struct v6_route {
	int family;
	struct v6_prefix dst; /* len 0: default */
	uint32_t table;       /* RT_TABLE_MAIN when 0 */
	uint8_t protocol;
	uint32_t metric;
	int ifindex;          /* output device, 0 when none */
	bool has_gw;
	struct v6_addr gw;
	uint8_t type;         /* RTN_UNICAST when 0 */
};

enum { V6_NL_EXCL = 1 << 0, V6_NL_REPLACE = 1 << 1 };

struct nl_msg *v6_route_msg(const struct v6_route *r, bool add, int flags, struct v6_err *err);
int v6_route_add(struct v6_nl *nl, const struct v6_route *r, int flags, struct v6_err *err);
int v6_route_del(struct v6_nl *nl, const struct v6_route *r, struct v6_err *err);
/* Dump unicast routes of family in every table; protocol 0 means any.
 * *out is malloc'd; returns the count. */
int v6_route_list(struct v6_nl *nl, int family, uint8_t protocol, struct v6_route **out,
		  struct v6_err *err);

/* v6_route_list() of one table (0: any) and protocol (0: any), of every
 * type, of family (AF_UNSPEC: IPv4 and IPv6 in one dump), filtered by the kernel where it supports strict dump checking
 * (NETLINK_GET_STRICT_CHK) and here otherwise.  A table the kernel does
 * not have yet is empty. */
int v6_route_list_filtered(struct v6_nl *nl, int family, uint32_t table, uint8_t protocol,
			   struct v6_route **out, struct v6_err *err);

/* Ask the kernel which route it would use to dst (from src and through
 * oif when given, NULL/0 otherwise), as `ip route get` does.  prefsrc (may
 * be NULL) receives the route's preferred source, unspecified if none. */
int v6_route_get(struct v6_nl *nl, const struct v6_addr *dst, const struct v6_addr *src, int oif,
		 struct v6_route *out, struct v6_addr *prefsrc, struct v6_err *err);

/* ---- neighbours -------------------------------------------------- */

struct v6_neigh {
	uint16_t state; /* NUD_* */
	uint8_t lladdr[32];
	size_t lladdr_len; /* 0 when the entry has no link-layer address yet */
};

/* The neighbour entry for a on ifindex; -ENOENT when there is none. */
int v6_neigh_get(struct v6_nl *nl, int ifindex, const struct v6_addr *a, struct v6_neigh *out,
		 struct v6_err *err);

/* ---- policy rules ------------------------------------------------ */

struct v6_rule {
	int family;
	uint32_t prio;
	struct v6_prefix src; /* len 0 and unspecified: from all */
	uint32_t table;
	uint8_t protocol;
	uint8_t action;       /* FR_ACT_TO_TBL when 0 */
};

/* Adding always sets NLM_F_EXCL (libnl does not), so an identical rule is
 * refused with -EEXIST instead of duplicated. */
struct nl_msg *v6_rule_msg(const struct v6_rule *r, bool add, struct v6_err *err);
int v6_rule_add(struct v6_nl *nl, const struct v6_rule *r, struct v6_err *err);
int v6_rule_del(struct v6_nl *nl, const struct v6_rule *r, struct v6_err *err);
/* Dump rules of exactly family (libnl's cache ignores the family argument,
 * so this filters), or of IPv4 and IPv6 in one dump for AF_UNSPEC;
 * protocol 0 means any. */
int v6_rule_list(struct v6_nl *nl, int family, uint8_t protocol, struct v6_rule **out,
		 struct v6_err *err);

/* ---- waiting on events ------------------------------------------- */

enum v6_link_want { V6_LINK_EXISTS, V6_LINK_UP, V6_LINK_RUNNING };

/* Block on netlink events (never a sleep loop) until link NAME is in the
 * wanted state or timeout_ms passes (-ETIMEDOUT).  timeout_ms < 0: forever. */
int v6_wait_link(struct v6_nl *nl, const char *name, enum v6_link_want want, int timeout_ms,
		 struct v6_err *err);
/* Until the address on ifindex is present and neither tentative nor
 * failed DAD (-EADDRNOTAVAIL when DAD failed); an IPv4 address also until
 * a socket can bind to it (its local route follows the announcement). */
int v6_wait_addr(struct v6_nl *nl, int ifindex, const struct v6_addr *a, int timeout_ms,
		 struct v6_err *err);

#endif
