/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The next hop towards the remote endpoint, as the kernel's routing and
 * neighbour tables know it, for sending complete frames on a packet
 * socket. */
#ifndef T64_NEXTHOP_H
#define T64_NEXTHOP_H

#include <netinet/in.h>
#include <stdint.h>

struct t64_nexthop {
	int ifindex;          /* outgoing device */
	struct in_addr src;   /* the route's preferred source */
	uint8_t mac[6];       /* the neighbour's link-layer address */
};

/* Look up the route to remote (from local when non-zero, through oif when
 * non-zero) and the neighbour entry of its next hop.  Returns 0 when the
 * device is Ethernet and the neighbour's address is known, -1 otherwise
 * (not Ethernet, a local or unreachable route, neighbour unresolved or
 * stale): the caller then sends through its raw socket, whose sends make
 * the kernel resolve or re-confirm it. */
int t64_nexthop_get(struct in_addr remote, struct in_addr local, int oif,
		    struct t64_nexthop *out);

#endif
