/* SPDX-License-Identifier: GPL-2.0-or-later */
/* show: what srcroute owns, joined back into entries.  The text form uses
 * the configuration's own words, so it can be pasted into srcroute.conf. */
#include "srcroute.h"

#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

/* if_indextoname() costs a socket per call; a table has one device. */
static const char *dev_name(int ifindex, char *buf)
{
	static int last_index;
	static char last_name[IF_NAMESIZE];

	if (ifindex != last_index) {
		if (!if_indextoname((unsigned)ifindex, last_name))
			snprintf(last_name, sizeof(last_name), "#%d", ifindex);
		last_index = ifindex;
	}
	return strcpy(buf, last_name);
}

struct shown {
	const struct v6_route *route; /* the table's default, ours or tun6in4's */
	bool closed;
	const char *owner;
};

static void emit_entry(struct v6_emit *e, const struct v6_rule *r, const struct shown *sh,
		       const struct v6_rtnames *names)
{
	char a[V6_ADDRSTRLEN], tn[64], dev[IF_NAMESIZE] = "", who[64], note[160];
	const struct v6_route *rt = sh->route;

	if (rt && rt->ifindex)
		dev_name(rt->ifindex, dev);
	v6_emit_object_open(e, NULL);
	v6_emit_str(e, "family", NULL, r->family == AF_INET ? "inet" : "inet6");
	v6_emit_str(e, "from", "%s", v6_prefix_str(&r->src, a, sizeof(a)));
	v6_emit_str(e, "dev", " dev %s", dev[0] ? dev : NULL);
	if (rt && rt->has_gw)
		v6_emit_str(e, "via", " via %s", v6_addr_str(&rt->gw, a, sizeof(a)));
	else
		v6_emit_str(e, "via", NULL, NULL);
	v6_emit_str(e, "table", " table %s", sr_table_name(names, r->table, tn, sizeof(tn)));
	v6_emit_u64(e, "table_id", NULL, r->table);
	v6_emit_u64(e, "prio", " prio %" PRIu64, r->prio);
	v6_emit_bool(e, "fallthrough", sh->closed ? NULL : " fallthrough", !sh->closed);
	v6_emit_str(e, "owner", NULL, sh->owner);
	v6_emit_bool(e, "route", NULL, rt != NULL);
	v6_emit_str(e, "route_owner", NULL,
		    rt ? sr_proto_name(rt->protocol, who, sizeof(who)) : NULL);
	/* Config syntax first; what a file cannot say goes in a comment. */
	if (!rt)
		snprintf(note, sizeof(note), "  # owner %s; no default route in this table",
			 sh->owner);
	else if (rt->protocol != V6_PROTO_SRCROUTE)
		snprintf(note, sizeof(note), "  # owner %s; default route by %s", sh->owner, who);
	else
		snprintf(note, sizeof(note), "  # owner %s", sh->owner);
	v6_emit_text(e, note);
	v6_emit_text(e, "\n");
	v6_emit_object_close(e);
}

int sr_cmd_show(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_rtnames names = { 0 };
	struct sr_state st = { 0 };
	struct v6_nl nl = { 0 };
	struct v6_link l = { 0 };
	struct v6_err err;
	struct v6_emit e;
	struct v6_route *foreign = NULL;
	size_t nforeign = 0, capforeign = 0;
	const char *dev = NULL, *owner = NULL;
	int rc;

	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "dev") && strcmp(argv[i], "owner"))
			return sr_unexpected(cli, argv[i]);
		if (i + 1 >= argc)
			return v6_cli_usage(cli, "'%s' needs a value", argv[i]);
		if (argv[i][0] == 'd') {
			dev = argv[i + 1];
		} else {
			if (sr_parse_owner(argv[i + 1], true, &err) < 0)
				return v6_cli_usage(cli, "%s", err.msg);
			owner = strcmp(argv[i + 1], SR_OWNER_ALL) ? argv[i + 1] : NULL;
		}
	}
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	if ((dev && (rc = v6_link_by_name(&nl, dev, &l, &err)) < 0) ||
	    (rc = sr_state_read(&nl, cli->family, &st, &err)) < 0 ||
	    (rc = v6_rtnames_load(&names, v6_iproute2_dir(), &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = v6_cli_status(rc);
		goto out;
	}
	v6_cli_emit_init(cli, &e);
	v6_emit_array_open(&e, NULL);
	for (size_t i = 0; i < st.nrules; i++) {
		const struct v6_rule *r = &st.rules[i];
		struct shown sh = { .owner = st.owner[i] };
		if (owner && strcmp(owner, sh.owner))
			continue;
		for (size_t k = 0; k < st.nroutes; k++) {
			const struct v6_route *rt = &st.routes[k];
			if (rt->table != r->table || rt->family != r->family)
				continue;
			if (rt->type == RTN_UNREACHABLE)
				sh.closed = true;
			else if (!sh.route)
				sh.route = rt;
		}
		/* None of ours: the table may be sharing tun6in4's. */
		for (size_t k = 0; !sh.route && k < nforeign; k++)
			if (foreign[k].table == r->table && foreign[k].family == r->family)
				sh.route = &foreign[k];
		if (!sh.route) {
			struct v6_route *v = NULL;
			int n = sr_foreign_defaults(&nl, r->family, r->table, &v, &err);
			for (int k = 0; k < n; k++) {
				if (v[k].protocol != V6_PROTO_TUN6IN4)
					continue;
				if (V6_APPEND(foreign, nforeign, capforeign, v[k]) < 0)
					break;
				sh.route = &foreign[nforeign - 1];
				break;
			}
			free(v);
		}
		if (dev && (!sh.route || sh.route->ifindex != l.ifindex))
			continue;
		emit_entry(&e, r, &sh, &names);
	}
	v6_emit_array_close(&e);
	v6_emit_end(&e);
	rc = 0;
out:
	free(foreign);
	v6_rtnames_free(&names);
	sr_state_free(&st);
	v6_nl_close(&nl);
	return rc;
}
