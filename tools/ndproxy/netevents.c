/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What changes in the kernel do to the daemon (links.c reports them),
 * and the host routes the daemon owns (autowire). */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>

int ndp_wire(struct ndp_daemon *d, struct ndp_entry *e, bool add)
{
	const struct ndp_proxy *p = e->proxy < d->conf.nproxies ? &d->conf.proxies[e->proxy] : NULL;
	struct in6_addr gw;
	bool has_gw = false;
	struct v6_err err;
	int rc;

	/* autovia: through the gateway of the kernel's route to the target,
	 * when that route still leaves where the target was found. */
	if (add && p && e->rule < p->nrules && p->rules[e->rule].method == NDP_AUTO &&
	    p->rules[e->rule].autovia &&
	    ndp_route_oif(&d->net, &e->target, &gw, &has_gw) != e->ifindex)
		has_gw = false;
	rc = ndp_route_wire(&d->net, &e->target, e->ifindex, has_gw ? &gw : NULL, add, &err);
	if (add && rc == 0) {
		e->wired = 1;
		d->ctr.routes_wired++;
	} else if (!add) {
		e->wired = 0;
		if (rc == 0)
			d->ctr.routes_removed++;
	}
	if (rc < 0)
		log_warnx("autowire: %s", err.msg);
	return rc;
}

void ndp_drop_entry(struct ndp_daemon *d, struct ndp_entry *e)
{
	if (e->wired)
		ndp_wire(d, e, false);
	ndp_cache_remove(&d->cache, e);
}

static bool learnt_from_route(struct ndp_entry *e, void *arg)
{
	struct ndp_daemon *d = arg;
	const struct ndp_proxy *p = &d->conf.proxies[e->proxy];

	if (p->rules[e->rule].method != NDP_AUTO)
		return false;
	if (e->wired)
		ndp_wire(d, e, false);
	return true;
}

static void routes_changed(struct ndp_daemon *d)
{
	/* `auto` targets learnt their interface from a route; any route
	 * change may move them, so they are asked again on the next NS. */
	ndp_cache_sweep(&d->cache, learnt_from_route, d);
}

/* Everything from scratch: links and addresses, the sockets that follow
 * them, then the neighbours on the links now listened on. */
int ndp_kernel_sync(struct ndp_daemon *d, struct v6_err *err)
{
	int rc;

	if ((rc = ndp_links_read(&d->net, err)) < 0)
		return rc;
	ndp_reconcile(d);
	return ndp_neigh_read(&d->net, err);
}

void ndp_kernel_event(struct ndp_daemon *d)
{
	unsigned ev = ndp_links_event(&d->net);
	struct v6_err err;

	if (ev & NDP_NL_OVERRUN) {
		if (ndp_kernel_sync(d, &err) < 0)
			log_warnx("netlink: %s", err.msg);
	} else if (ev & NDP_NL_LINKS) {
		ndp_reconcile(d);
	}
	if (ev & (NDP_NL_OVERRUN | NDP_NL_ROUTES))
		routes_changed(d);
}
