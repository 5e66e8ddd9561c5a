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

static void emit_entry(struct v6_emit *e, const struct v6_rule *r, const struct v6_route *rt,
		       const struct v6_rtnames *names)
{
	char a[V6_ADDRSTRLEN], tn[64], dev[IF_NAMESIZE] = "";

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
	v6_emit_bool(e, "route", NULL, rt != NULL);
	if (!rt)
		v6_emit_text(e, "  # no route of ours in this table");
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
	const char *dev = NULL;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "dev"))
		dev = argv[2];
	else if (argc != 1)
		return v6_cli_usage_error(sr_usage, "show: expected nothing or 'dev IFACE'");
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
		const struct v6_route *rt = NULL;
		for (size_t k = 0; k < st.nroutes && !rt; k++)
			if (st.routes[k].table == r->table && st.routes[k].family == r->family &&
			    st.routes[k].dst.len == 0)
				rt = &st.routes[k];
		if (dev && (!rt || rt->ifindex != l.ifindex))
			continue;
		emit_entry(&e, r, rt, &names);
	}
	v6_emit_array_close(&e);
	v6_emit_end(&e);
	rc = 0;
out:
	v6_rtnames_free(&names);
	sr_state_free(&st);
	v6_nl_close(&nl);
	return rc;
}
