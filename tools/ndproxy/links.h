/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's netlink side (links.c): it keeps struct ndp_kernel current
 * and reports what changed; deciding what follows is the daemon's.
 * Nothing here calls back into the daemon. */
#ifndef NDPROXY_LINKS_H
#define NDPROXY_LINKS_H

#include "kernel.h"
#include "v6nl.h"

struct ndp_netlink {
	struct v6_nl nl; /* requests */
	int evfd;        /* events: links, IPv6 addresses and routes, neighbours */
	struct ndp_kernel k;
	/* Links whose confirmed neighbours are noted in k.upneigh: the
	 * upstream links being listened on, as the daemon last said. */
	int *watch;
	size_t nwatch;
	uint64_t link_events; /* link messages, dumps included */
};

/* What ndp_links_event() saw. */
enum {
	NDP_NL_LINKS = 1 << 0,  /* links appeared, went or changed */
	NDP_NL_ROUTES = 1 << 1, /* a route not ours changed */
	/* Events were lost: read everything again with ndp_links_read(),
	 * ndp_links_watch() and ndp_neigh_read(). */
	NDP_NL_OVERRUN = 1 << 2,
};

int ndp_links_open(struct ndp_netlink *net, struct v6_err *err);
void ndp_links_close(struct ndp_netlink *net);
/* Links and addresses, from scratch. */
int ndp_links_read(struct ndp_netlink *net, struct v6_err *err);
/* The upstream links (ifindex) the daemon now listens on. */
int ndp_links_watch(struct ndp_netlink *net, const int *ifindex, size_t n);
/* Neighbours, then the route check of those confirmed on watched links. */
int ndp_neigh_read(struct ndp_netlink *net, struct v6_err *err);
/* Read the pending events; returns NDP_NL_* flags. */
unsigned ndp_links_event(struct ndp_netlink *net);

/* Output interface of the kernel's route to a (and its gateway); 0 when
 * there is no usable unicast route. */
int ndp_route_oif(struct ndp_netlink *net, const struct in6_addr *a, struct in6_addr *gw,
		  bool *has_gw);
/* Add (replacing) or delete the host route to target on ifindex, through
 * gw when not NULL, as protocol V6_PROTO_NDPROXY.  Deleting a route that
 * is already gone succeeds. */
int ndp_route_wire(struct ndp_netlink *net, const struct in6_addr *target, int ifindex,
		   const struct in6_addr *gw, bool add, struct v6_err *err);
/* Remove the routes an earlier run left; returns how many there were. */
int ndp_unwire_stale(struct ndp_netlink *net, struct v6_err *err);

#endif
