/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
/* Between a configuration and the planner: devices to indexes, table
 * names to ids (a new name gets a free id, registered once the plan ran),
 * and the other tools' default routes in the tables the plan will need a
 * route in.  Then the pure planner does the rest. */
#include "srcroute.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

struct resolver {
	struct v6_nl *nl;
	struct sr_state *st;
	struct sr_plan *plan;
	struct sr_dev { char name[16]; int ifindex; } *devs;
	size_t ndevs, capdevs;
	int ioctl_fd;
};

static bool table_taken(uint32_t id, void *arg)
{
	struct resolver *r = arg;
	for (size_t i = 0; i < r->st->nused; i++)
		if (r->st->used_tables[i] == id)
			return true;
	for (size_t i = 0; i < r->plan->nnew; i++)
		if (r->plan->newtables[i].id == id)
			return true;
	return false;
}

static int resolve_table(struct resolver *r, const struct sr_entry *e, uint32_t *id,
			 struct v6_err *err)
{
	const char *name = sr_entry_table(e);
	struct sr_plan *p = r->plan;
	int rc = v6_rtnames_resolve(&p->names, name, id, err);

	if (rc != -ENOENT)
		return rc;
	for (size_t i = 0; i < p->nnew; i++)
		if (!strcmp(p->newtables[i].name, name)) {
			*id = p->newtables[i].id;
			return 0;
		}
	/* A new name: the id must be free in the kernel too.  Callers hold
	 * sr_lock(), so no other run can pick the same id meanwhile. */
	if ((rc = sr_state_read_used(r->nl, r->st, err)) < 0)
		return rc;
	struct sr_newtable nt = { .id = v6_rtnames_free_id(&p->names, table_taken, r) };
	snprintf(nt.name, sizeof(nt.name), "%s", name);
	if (V6_APPEND(p->newtables, p->nnew, p->capnew, nt) < 0)
		return v6_err_set(err, -ENOMEM, "out of memory");
	*id = nt.id;
	return 0;
}

/* The device's index by SIOCGIFINDEX: one system call, where a netlink
 * request makes the kernel build (and us parse) the link's every
 * attribute and statistic.  A file names few devices: each is asked once. */
static int resolve_dev(struct resolver *r, const char *name, int *ifindex, struct v6_err *err)
{
	struct ifreq ifr = { 0 };

	for (size_t i = 0; i < r->ndevs; i++)
		if (!strcmp(r->devs[i].name, name)) {
			*ifindex = r->devs[i].ifindex;
			return 0;
		}
	if (r->ioctl_fd < 0 && (r->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		struct v6_link l = { 0 };
		int rc = v6_link_by_name(r->nl, name, &l, err);
		if (rc < 0)
			return rc;
		ifr.ifr_ifindex = l.ifindex;
	} else {
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (ioctl(r->ioctl_fd, SIOCGIFINDEX, &ifr) < 0)
			return errno == ENODEV
				       ? v6_err_set(err, -ENODEV, "%s: no such device", name)
				       : v6_err_set(err, -errno, "%s: %s", name, strerror(errno));
	}
	struct sr_dev d = { .ifindex = ifr.ifr_ifindex };
	snprintf(d.name, sizeof(d.name), "%s", name);
	if (V6_APPEND(r->devs, r->ndevs, r->capdevs, d) < 0)
		return v6_err_set(err, -ENOMEM, "out of memory");
	*ifindex = d.ifindex;
	return 0;
}

/* Whether the planner will look for another tool's default route in
 * (family, table): only when srcroute has none of its own there. */
static bool needs_foreign(const struct sr_state *st, int family, uint32_t table)
{
	uint32_t metric = family == AF_INET6 ? 1024 : 0;

	for (size_t k = 0; k < st->nroutes; k++) {
		const struct v6_route *r = &st->routes[k];
		if (r->family == family && r->table == table && r->metric == metric &&
		    (r->type ? r->type : RTN_UNICAST) == RTN_UNICAST)
			return false;
	}
	return true;
}

int sr_plan_build(struct v6_nl *nl, const struct sr_conf *conf, struct sr_state *st,
		  const char *scope, int family, int flags, struct sr_plan *plan,
		  struct v6_err *err)
{
	struct resolver r = { .nl = nl, .st = st, .plan = plan, .ioctl_fd = -1 };
	struct sr_want *want = calloc(conf->n + 1, sizeof(*want));
	struct table_key { int family; uint32_t table; } *tables = NULL;
	size_t n = 0, ntables = 0, captables = 0;
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (!want) {
		rc = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = v6_rtnames_load(&plan->names, v6_iproute2_dir(), err)) < 0)
		goto out;
	for (size_t i = 0; i < conf->n; i++) {
		const struct sr_entry *e = &conf->v[i];
		struct sr_want *w = &want[n];

		if (family != AF_UNSPEC && e->from.addr.family != family)
			continue;
		w->entry = e;
		if ((rc = resolve_dev(&r, e->dev, &w->ifindex, err)) < 0 ||
		    (rc = resolve_table(&r, e, &w->table, err)) < 0) {
			if (conf->source)
				rc = v6_err_prefix(err, rc, "%s:%u", conf->source, e->line);
			goto out;
		}
		n++;
		/* Each table once: a file has many sources, few tables. */
		size_t k;
		for (k = 0; k < ntables; k++)
			if (tables[k].table == w->table && tables[k].family == e->from.addr.family)
				break;
		if (k < ntables)
			continue;
		if (v6_append(&tables, &ntables, &captables,
			      &(struct table_key){ e->from.addr.family, w->table }, sizeof(*tables)) < 0) {
			rc = v6_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		if (needs_foreign(st, e->from.addr.family, w->table) &&
		    (rc = sr_state_read_foreign(nl, st, e->from.addr.family, w->table, err)) < 0)
			goto out;
	}
	rc = sr_plan_entries(conf, want, n, st, scope, flags, plan, err);
out:
	free(want);
	free(tables);
	free(r.devs);
	if (r.ioctl_fd >= 0)
		close(r.ioctl_fd);
	return rc;
}
