/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the kernel: what srcroute owns (its rules and routes, with the
 * owner of each rule), other tools' default routes in a table, and the
 * table ids in use.  The planner sees only the arrays this fills. */
#include "srcroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

static int read_family(struct v6_nl *nl, int fam, struct sr_state *st, struct v6_err *err)
{
	struct v6_rule *rules = NULL;
	struct v6_route *routes = NULL;
	/* Rules cannot be filtered by the kernel; routes can, by protocol. */
	int nr = v6_rule_list(nl, fam, V6_PROTO_SRCROUTE, &rules, err), nrt;

	if (nr < 0)
		return nr;
	nrt = v6_route_list_filtered(nl, fam, 0, V6_PROTO_SRCROUTE, &routes, err);
	if (nrt < 0) {
		free(rules);
		return nrt;
	}
	if (v6_resize(&st->rules, st->nrules + (size_t)nr + 1, sizeof(*st->rules)) < 0 ||
	    v6_resize(&st->owner, st->nrules + (size_t)nr + 1, sizeof(*st->owner)) < 0 ||
	    v6_resize(&st->routes, st->nroutes + (size_t)nrt + 1, sizeof(*st->routes)) < 0) {
		free(rules);
		free(routes);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < nr; i++) {
		st->owner[st->nrules] = sr_owners_lookup(&st->owners, &rules[i]);
		st->rules[st->nrules++] = rules[i];
	}
	for (int i = 0; i < nrt; i++) {
		struct v6_route r = routes[i];
		if (r.dst.len)
			continue; /* srcroute makes default routes only */
		/* A reject route has no device of its own (IPv6 reports lo). */
		if (r.type != RTN_UNICAST)
			r.ifindex = 0;
		st->routes[st->nroutes++] = r;
	}
	free(rules);
	free(routes);
	return 0;
}

int sr_state_read(struct v6_nl *nl, int family, struct sr_state *st, struct v6_err *err)
{
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = sr_owners_load(&st->owners, err)) < 0)
		return rc;
	/* AF_UNSPEC: both families in one dump each of rules and routes. */
	return read_family(nl, family, st, err);
}

int sr_state_read_used(struct v6_nl *nl, struct sr_state *st, struct v6_err *err)
{
	static const int fams[] = { AF_INET, AF_INET6 };

	if (st->used_read)
		return 0;
	for (int f = 0; f < 2; f++) {
		struct v6_rule *rules = NULL;
		struct v6_route *routes = NULL;
		int nr = v6_rule_list(nl, fams[f], 0, &rules, err), nrt;
		if (nr < 0)
			return nr;
		if ((nrt = v6_route_list(nl, fams[f], 0, &routes, err)) < 0) {
			free(rules);
			return nrt;
		}
		if (v6_resize(&st->used_tables, st->nused + (size_t)nr + (size_t)nrt + 1,
			      sizeof(*st->used_tables)) < 0) {
			free(rules);
			free(routes);
			return v6_err_set(err, -ENOMEM, "out of memory");
		}
		uint32_t *v = st->used_tables;
		for (int i = 0; i < nr; i++)
			v[st->nused++] = rules[i].table;
		for (int i = 0; i < nrt; i++)
			v[st->nused++] = routes[i].table;
		free(rules);
		free(routes);
	}
	st->used_read = true;
	return 0;
}

int sr_foreign_defaults(struct v6_nl *nl, int family, uint32_t table, struct v6_route **out,
			struct v6_err *err)
{
	struct v6_route *v = NULL;
	int n = v6_route_list_filtered(nl, family, table, 0, &v, err), k = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (v[i].dst.len == 0 && v[i].type == RTN_UNICAST &&
		    v[i].protocol != V6_PROTO_SRCROUTE)
			v[k++] = v[i];
	*out = v;
	return k;
}

int sr_state_read_foreign(struct v6_nl *nl, struct sr_state *st, int family, uint32_t table,
			  struct v6_err *err)
{
	struct v6_route *v = NULL;
	int n = sr_foreign_defaults(nl, family, table, &v, err);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (V6_APPEND(st->foreign, st->nforeign, st->capforeign, v[i]) < 0) {
			free(v);
			return v6_err_set(err, -ENOMEM, "out of memory");
		}
	free(v);
	return 0;
}

void sr_state_free(struct sr_state *st)
{
	free(st->rules);
	free(st->owner);
	free(st->routes);
	free(st->foreign);
	free(st->used_tables);
	sr_owners_free(&st->owners);
	memset(st, 0, sizeof(*st));
}
