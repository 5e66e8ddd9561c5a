/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A plan as the `ip` commands that would do the same: for --dry-run,
 * check, -v and error messages. */
#include "srcroute.h"

#include <net/if.h>
#include <linux/rtnetlink.h>

static uint8_t rtype(const struct v6_route *r)
{
	return r->type ? r->type : RTN_UNICAST;
}

void sr_op_print(const struct sr_op *op, const struct v6_rtnames *names, FILE *out)
{
	char a[V6_ADDRSTRLEN], tn[64], dev[IF_NAMESIZE];
	const char *fam;

	switch (op->kind) {
	case SR_ROUTE_ADD:
	case SR_ROUTE_REPLACE:
	case SR_ROUTE_DEL: {
		const struct v6_route *r = &op->route;
		fam = r->family == AF_INET ? "-4" : "-6";
		fprintf(out, "ip %s route %s %s%s", fam,
			op->kind == SR_ROUTE_ADD ? "add" : op->kind == SR_ROUTE_DEL ? "del" : "replace",
			rtype(r) == RTN_UNREACHABLE ? "unreachable " : "",
			r->dst.len ? v6_prefix_str(&r->dst, a, sizeof(a)) : "default");
		if (r->has_gw)
			fprintf(out, " via %s", v6_addr_str(&r->gw, a, sizeof(a)));
		if (r->ifindex)
			fprintf(out, " dev %s", if_indextoname((unsigned)r->ifindex, dev) ? dev : "?");
		fprintf(out, " table %s proto %u", sr_table_name(names, r->table, tn, sizeof(tn)),
			V6_PROTO_SRCROUTE);
		if (r->metric)
			fprintf(out, " metric %u", r->metric);
		break;
	}
	case SR_RULE_ADD:
	case SR_RULE_DEL: {
		const struct v6_rule *r = &op->rule;
		fprintf(out, "ip %s rule %s from %s lookup %s priority %u proto %u",
			r->family == AF_INET ? "-4" : "-6", op->kind == SR_RULE_ADD ? "add" : "del",
			r->src.len ? v6_prefix_str(&r->src, a, sizeof(a)) : "all",
			sr_table_name(names, r->table, tn, sizeof(tn)), r->prio, V6_PROTO_SRCROUTE);
		break;
	}
	}
}

void sr_plan_print(const struct sr_plan *plan, FILE *out, const char *mark)
{
	for (size_t i = 0; i < plan->n; i++) {
		fputs(mark, out);
		sr_op_print(&plan->ops[i], &plan->names, out);
		fputc('\n', out);
	}
}
