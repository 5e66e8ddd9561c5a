/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The next hop towards the remote endpoint, from the kernel's routing and
 * neighbour tables through lib/: three gets, no capabilities needed. */
#include "nexthop.h"
#include "v6nl.h"

#include <string.h>
#include <linux/if_arp.h>
#include <linux/neighbour.h>

int t64_nexthop_get(struct in_addr remote, struct in_addr local, int oif,
		    struct t64_nexthop *out)
{
	struct v6_addr dst = { .family = AF_INET, .v4 = remote };
	struct v6_addr src = { .family = AF_INET, .v4 = local };
	struct v6_addr prefsrc, hop;
	struct v6_route r;
	struct v6_link l;
	struct v6_neigh n;
	struct v6_nl nl;
	struct v6_err err;
	int rc = -1;

	if (v6_nl_open(&nl, &err) < 0)
		return -1;
	if (v6_route_get(&nl, &dst, local.s_addr ? &src : NULL, oif, &r, &prefsrc, &err) < 0 ||
	    r.type != RTN_UNICAST || r.ifindex <= 0 ||
	    v6_link_by_index(&nl, r.ifindex, &l, &err) < 0 || l.type != ARPHRD_ETHER)
		goto out;
	hop = r.has_gw ? r.gw : dst;
	/* Not a STALE entry: our frames bypass the neighbour code, so only
	 * the raw socket's sends make the kernel re-confirm an address (a far
	 * end that came back with another one would otherwise stay unseen).
	 * While it probes, the kernel itself still sends to the entry. */
	if (v6_neigh_get(&nl, r.ifindex, &hop, &n, &err) < 0 || n.lladdr_len != 6 ||
	    !(n.state & (NUD_REACHABLE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		goto out;
	out->ifindex = r.ifindex;
	out->src = local.s_addr ? local : prefsrc.v4;
	memcpy(out->mac, n.lladdr, 6);
	rc = out->src.s_addr ? 0 : -1;
out:
	v6_nl_close(&nl);
	return rc;
}
