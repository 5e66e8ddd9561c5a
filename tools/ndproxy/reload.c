/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIGHUP: a new configuration replaces the old one only whole; cache
 * entries it still covers are kept, and systemd hears when it is over. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"
#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct reload_ctx {
	struct ndp_daemon *d;
	const struct ndp_conf *nc;
};

/* Renumber an entry for the new configuration, or have it dropped. */
static bool carry_over(struct ndp_entry *e, void *arg)
{
	struct reload_ctx *rc = arg;
	struct ndp_daemon *d = rc->d;
	const struct ndp_conf *nc = rc->nc;
	const struct ndp_proxy *op = &d->conf.proxies[e->proxy];
	const struct ndp_rule *orr = &op->rules[e->rule], *nr = NULL;
	size_t np;

	for (np = 0; np < nc->nproxies; np++)
		if (!strcmp(nc->proxies[np].iface, op->iface))
			break;
	if (np < nc->nproxies)
		nr = ndp_rule_match(&nc->proxies[np], &e->target);
	if (!nr || nr->method != orr->method || strcmp(nr->iface, orr->iface)) {
		if (e->wired)
			ndp_wire(d, e, false);
		return true;
	}
	if (e->wired && !nc->proxies[np].autowire)
		ndp_wire(d, e, false);
	e->proxy = (uint16_t)np;
	e->rule = (uint16_t)(nr - nc->proxies[np].rules);
	for (unsigned i = 0; i < e->nwait; i++) {
		size_t wp = nc->nproxies;
		if (e->wait[i].proxy < d->conf.nproxies) /* else gone in an earlier reload */
			for (wp = 0; wp < nc->nproxies; wp++)
				if (!strcmp(nc->proxies[wp].iface,
					    d->conf.proxies[e->wait[i].proxy].iface))
					break;
		e->wait[i].proxy = (uint16_t)wp; /* out of range: skipped on answer */
	}
	return false;
}

static void reload_config(struct ndp_daemon *d)
{
	struct ndp_conf nc;
	struct ndp_upstream *nup;
	struct v6_err err;

	d->ctr.reloads++;
	if (!d->conf_path) {
		log_warnx("reload: started from the command line, nothing to reload");
		return;
	}
	if (ndp_conf_load(d->conf_path, &nc, &err) < 0) {
		log_warnx("reload refused, old configuration kept: %s", err.msg);
		return;
	}
	for (size_t i = 0; i < nc.nproxies; i++)
		if (nc.proxies[i].autowire && !d->can_wire) {
			log_warnx("reload refused, old configuration kept: autowire on %s needs a "
				  "restart (CAP_NET_ADMIN was dropped)", nc.proxies[i].iface);
			ndp_conf_free(&nc);
			return;
		}
	if (!(nup = calloc(nc.nproxies, sizeof(*nup)))) {
		ndp_conf_free(&nc);
		return;
	}
	/* Upstream links keep their claim; new ones must get theirs, or the
	 * whole reload is refused (another instance answers there). */
	for (size_t i = 0; i < nc.nproxies; i++) {
		size_t o;
		nup[i].fd = -1;
		nup[i].claim[0] = nup[i].claim[1] = -1;
		for (o = 0; o < d->conf.nproxies; o++)
			if (!strcmp(d->conf.proxies[o].iface, nc.proxies[i].iface))
				break;
		if (o < d->conf.nproxies)
			continue;
		if (ndp_claim_upstream(nc.proxies[i].iface, d->instance, nup[i].claim, &err) < 0) {
			log_warnx("reload refused, old configuration kept: %s", err.msg);
			for (size_t j = 0; j < i; j++)
				ndp_claim_release(nup[j].claim);
			free(nup);
			ndp_conf_free(&nc);
			return;
		}
	}
	for (size_t i = 0; i < nc.nproxies; i++) {
		if (nup[i].claim[0] >= 0)
			continue;
		for (size_t o = 0; o < d->conf.nproxies; o++)
			if (!strcmp(d->conf.proxies[o].iface, nc.proxies[i].iface)) {
				memcpy(nup[i].claim, d->up[o].claim, sizeof(nup[i].claim));
				d->up[o].claim[0] = d->up[o].claim[1] = -1;
			}
	}
	/* Keep the entries that still apply: same upstream, a rule with the
	 * same method and interface still covering the target. */
	struct reload_ctx rc = { d, &nc };
	ndp_cache_sweep(&d->cache, carry_over, &rc);
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		ndp_upstream_close(d, i);
		ndp_claim_release(d->up[i].claim); /* those not carried over */
	}
	free(d->up);
	ndp_conf_free(&d->conf);
	d->conf = nc;
	d->up = nup;
	d->cache.max = nc.cache_max;
	while (d->cache.n > d->cache.max)
		ndp_drop_entry(d, ndp_cache_earliest(&d->cache));
	ndp_reconcile(d);
	log_info("configuration reloaded from %s", d->conf_path);
}

/* systemd's reload protocol (sd_notify(3), Type=notify-reload): say when
 * a reload starts, on the monotonic clock, and when it is over. */
void ndp_reload(struct ndp_daemon *d)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%lld",
		 (long long)(v6_mono_ns() / 1000));
	v6_service_notify(msg);
	reload_config(d);
	v6_service_notify("READY=1");
}
