/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What netlink has told ndproxy about the kernel: links, own addresses,
 * neighbours confirmed on upstream links.  links.c fills it; everyone else
 * reads it through the pure lookups below. */
#ifndef NDPROXY_KERNEL_H
#define NDPROXY_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Every link the kernel reports, by ifindex (a router has few). */
struct ndp_link {
	int ifindex;
	char name[16];
	unsigned flags;
	uint8_t mac[6];
	bool has_mac, has_ll;
	struct in6_addr ll; /* a link-local address, for NA sources */
};

struct ndp_own {
	struct in6_addr addr;
	int ifindex;
};

#define NDP_UPNEIGH_SLOTS 1024
#define NDP_UPNEIGH_PENDING 256

struct ndp_kernel {
	struct ndp_link *links;
	size_t nlinks, links_cap;
	struct ndp_own *own;
	size_t nown, own_cap;
	/* Addresses seen living on an upstream link: direct-mapped, a
	 * collision only forgets an older one. */
	struct { struct in6_addr a; int ifindex; } upneigh[NDP_UPNEIGH_SLOTS];
	/* Confirmed upstream neighbours whose route is still to be checked
	 * (not from inside a netlink dump on the request socket). */
	struct { struct in6_addr a; int ifindex; } uppend[NDP_UPNEIGH_PENDING];
	unsigned nuppend;
};

const struct ndp_link *ndp_link_by_index(const struct ndp_kernel *k, int ifindex);
const struct ndp_link *ndp_link_by_name(const struct ndp_kernel *k, const char *name);
/* Up and known: the only links anything is sent on or answered for. */
bool ndp_link_is_up(const struct ndp_link *l);
bool ndp_is_own(const struct ndp_kernel *k, const struct in6_addr *a);
void ndp_upneigh_note(struct ndp_kernel *k, const struct in6_addr *a, int ifindex);
void ndp_upneigh_forget(struct ndp_kernel *k, const struct in6_addr *a, int ifindex);
bool ndp_upneigh_has(const struct ndp_kernel *k, const struct in6_addr *a, int ifindex);

#endif
