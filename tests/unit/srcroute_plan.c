/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for srcroute's planner: kernel states given as arrays, the
 * plan compared op by op. */
#include "unit.h"
#include "../../tools/srcroute/srcroute.h"

#include <errno.h>
#include <stdlib.h>
#include <linux/rtnetlink.h>

#define DEV 5   /* the tunnel's ifindex */
#define TABLE 100
#define GW "2001:db8:a::1"

static struct v6_addr addr(const char *s)
{
	struct v6_prefix p;
	struct v6_err err;

	v6_parse_prefix(s, V6_PARSE_ANY, &p, "address", &err);
	return p.addr;
}

/* An entry from its srcroute.conf words. */
static struct sr_entry entry(const char *line, unsigned lineno)
{
	char buf[256], *w[16];
	int n = 0;
	struct sr_entry e = { .line = lineno };
	struct v6_err err;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && n < 16; t = strtok(NULL, " "))
		w[n++] = t;
	if (sr_parse_entry(w, n, &e, &err) < 0)
		printf("# bad entry '%s': %s\n", line, err.msg);
	e.line = lineno;
	return e;
}

struct fixture {
	struct sr_entry e[8];
	struct sr_want want[8];
	size_t n;
	struct sr_conf conf;
	struct v6_rule rules[8];
	const char *owner[8];
	struct v6_route routes[8], foreign[8];
	struct sr_state st;
	struct sr_plan plan;
	struct v6_err err;
};

static void want(struct fixture *f, const char *line, int ifindex, uint32_t table)
{
	f->e[f->n] = entry(line, (unsigned)f->n + 1);
	f->want[f->n] = (struct sr_want){ .entry = &f->e[f->n], .ifindex = ifindex, .table = table };
	f->n++;
	f->conf = (struct sr_conf){ .v = f->e, .n = f->n, .source = "test.conf" };
}

static void have_rule(struct fixture *f, const char *src, uint32_t prio, uint32_t table,
		      const char *owner)
{
	struct v6_err err;
	struct v6_rule *r = &f->rules[f->st.nrules];

	*r = (struct v6_rule){ .prio = prio, .table = table, .protocol = V6_PROTO_SRCROUTE };
	v6_parse_prefix(src, V6_PARSE_ANY, &r->src, "source", &err);
	r->family = r->src.addr.family;
	f->owner[f->st.nrules++] = owner;
	f->st.rules = f->rules;
	f->st.owner = f->owner;
}

static struct v6_route default_route(uint32_t table, int ifindex, const char *gw, uint8_t proto)
{
	struct v6_route r = { .family = AF_INET6, .table = table, .protocol = proto,
			      .metric = 1024, .type = RTN_UNICAST, .ifindex = ifindex };
	r.dst.addr.family = AF_INET6;
	if (gw) {
		r.has_gw = true;
		r.gw = addr(gw);
	}
	return r;
}

static struct v6_route closed_route(uint32_t table)
{
	struct v6_route r = { .family = AF_INET6, .table = table, .protocol = V6_PROTO_SRCROUTE,
			      .metric = SR_CLOSED_METRIC, .type = RTN_UNREACHABLE };
	r.dst.addr.family = AF_INET6;
	return r;
}

static void have_route(struct fixture *f, struct v6_route r)
{
	f->routes[f->st.nroutes++] = r;
	f->st.routes = f->routes;
}

static void have_foreign(struct fixture *f, struct v6_route r)
{
	f->foreign[f->st.nforeign++] = r;
	f->st.foreign = f->foreign;
}

/* The kernel as a full run leaves it for `2001:db8:a::2 dev DEV via GW`. */
static void have_applied(struct fixture *f)
{
	have_route(f, default_route(TABLE, DEV, GW, V6_PROTO_SRCROUTE));
	have_route(f, closed_route(TABLE));
	have_rule(f, "2001:db8:a::2", 5000, TABLE, SR_OWNER_FILE);
}

static int plan(struct fixture *f, const char *scope, int flags)
{
	/* A test may plan twice: the first plan is freed, not leaked. */
	sr_plan_free(&f->plan);
	memset(&f->plan, 0, sizeof(f->plan));
	return sr_plan_entries(&f->conf, f->want, f->n, &f->st, scope, flags, &f->plan, &f->err);
}

/* The plan as ip commands, one line each. */
static const char *plan_text(struct fixture *f)
{
	static char buf[4096];
	FILE *m = fmemopen(buf, sizeof(buf), "w");

	buf[0] = '\0';
	if (m) {
		sr_plan_print(&f->plan, m, "");
		fclose(m);
	}
	return buf;
}

static void done(struct fixture *f)
{
	sr_plan_free(&f->plan);
	memset(f, 0, sizeof(*f));
}

static bool is_op(const struct sr_op *op, enum sr_op_kind kind, uint8_t type)
{
	return op->kind == kind && (kind >= SR_RULE_ADD || op->route.type == type);
}

static void unchanged(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	have_applied(&f);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 0,
	   "unchanged state: no action (%zu)", f.plan.n);
	ok(plan(&f, SR_OWNER_FILE, 0) == 0 && f.plan.n == 0, "unchanged, without prune: none");
	done(&f);
}

static void first_apply_fails_closed(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 3, "empty kernel: 3 ops");
	ok(is_op(&f.plan.ops[0], SR_ROUTE_ADD, RTN_UNICAST) && f.plan.ops[0].route.ifindex == DEV &&
		   f.plan.ops[0].route.has_gw && f.plan.ops[0].route.metric == 1024,
	   "first the table's default route");
	const struct v6_route *z = &f.plan.ops[1].route;
	ok(is_op(&f.plan.ops[1], SR_ROUTE_ADD, RTN_UNREACHABLE) && z->metric == SR_CLOSED_METRIC &&
		   z->protocol == V6_PROTO_SRCROUTE && z->table == TABLE && !z->ifindex,
	   "then unreachable default, metric 2^32-1, protocol 150: fail closed");
	ok(is_op(&f.plan.ops[2], SR_RULE_ADD, 0) && f.plan.ops[2].rule.prio == 5000 &&
		   f.plan.ops[2].rule.table == TABLE,
	   "the rule last, once its table routes");
	is_str(strstr(plan_text(&f), "ip -6 route add unreachable default table 100 proto 150"),
	       "ip -6 route add unreachable default table 100 proto 150 metric 4294967295\n"
	       "ip -6 rule add from 2001:db8:a::2 lookup 100 priority 5000 proto 150\n",
	       "printed as ip commands");
	done(&f);
}

static void changed_gateway(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via 2001:db8:a::9", DEV, TABLE);
	have_applied(&f);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 1 &&
		   f.plan.ops[0].kind == SR_ROUTE_REPLACE,
	   "changed gateway: one replace, in place");
	struct v6_addr new_gw = addr("2001:db8:a::9"), old_gw = addr(GW);
	ok(v6_addr_equal(&f.plan.ops[0].route.gw, &new_gw) &&
		   v6_addr_equal(&f.plan.ops[0].old_route.gw, &old_gw),
	   "new gateway, and the old one kept for the undo");
	ok(plan(&f, SR_OWNER_FILE, 0) == -EEXIST && strstr(f.err.msg, "already has a default route"),
	   "without prune (add) a changed gateway is a conflict: %s", f.err.msg);
	done(&f);
}

static void removed_source(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	have_applied(&f);
	have_rule(&f, "2001:db8:a::3", 5000, TABLE, SR_OWNER_FILE);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 1 &&
		   is_op(&f.plan.ops[0], SR_RULE_DEL, 0) && f.plan.ops[0].rule.src.addr.bytes[15] == 3,
	   "a source gone from the file: its rule goes, the shared table stays");
	ok(plan(&f, SR_OWNER_FILE, 0) == 0 && f.plan.n == 0, "without prune it stays");
	f.n = 0;
	f.conf.n = 0;
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 4 &&
		   is_op(&f.plan.ops[0], SR_RULE_DEL, 0) && is_op(&f.plan.ops[1], SR_RULE_DEL, 0) &&
		   is_op(&f.plan.ops[2], SR_ROUTE_DEL, RTN_UNICAST) &&
		   is_op(&f.plan.ops[3], SR_ROUTE_DEL, RTN_UNREACHABLE),
	   "an empty file: the rules, then the routes no rule uses");
	done(&f);
}

static void owner_isolation(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	have_applied(&f);
	have_rule(&f, "2001:db8:a::3", 5000, TABLE, "ifupdown-t0");
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 0,
	   "the file's apply never prunes another owner's rule");
	f.n = 0;
	f.conf.n = 0;
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 1 &&
		   is_op(&f.plan.ops[0], SR_RULE_DEL, 0) && f.plan.ops[0].rule.src.addr.bytes[15] == 2,
	   "an empty file removes only its own rule; the table's routes stay for the other owner");
	want(&f, "2001:db8:a::3 dev t0 via " GW, DEV, TABLE);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == -EEXIST,
	   "a source another owner holds is refused");
	is_str(f.err.msg,
	       "test.conf:1: source '2001:db8:a::3' is already routed by table 100 priority 5000 for owner 'ifupdown-t0'; 'srcroute del 2001:db8:a::3 owner ifupdown-t0' first",
	       "naming the owner and the command that frees it");
	done(&f);
	/* A table the other owner keeps closed cannot be opened by this one. */
	want(&f, "2001:db8:a::2 dev t0 via " GW " fallthrough", DEV, TABLE);
	have_route(&f, default_route(TABLE, DEV, GW, V6_PROTO_SRCROUTE));
	have_route(&f, closed_route(TABLE));
	have_rule(&f, "2001:db8:a::3", 5000, TABLE, "ifupdown-t0");
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == -EEXIST && strstr(f.err.msg, "is closed for owner 'ifupdown-t0'"),
	   "another owner's closed table: %s", f.err.msg);
	done(&f);
}

static void shared_with_tun6in4(void)
{
	struct fixture f = { 0 };

	/* tun6in4 up ... table 100 made the default route; no `via` here. */
	want(&f, "2001:db8:a::2 dev t0", DEV, TABLE);
	have_foreign(&f, default_route(TABLE, DEV, GW, V6_PROTO_TUN6IN4));
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 2 &&
		   is_op(&f.plan.ops[0], SR_ROUTE_ADD, RTN_UNREACHABLE) &&
		   is_op(&f.plan.ops[1], SR_RULE_ADD, 0),
	   "tun6in4's equivalent route serves the entry: no second default route");
	done(&f);

	want(&f, "2001:db8:a::2 dev t0 via 2001:db8:a::9", DEV, TABLE);
	have_foreign(&f, default_route(TABLE, DEV, GW, V6_PROTO_TUN6IN4));
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == -EEXIST && f.plan.n == 0,
	   "another gateway than tun6in4's: a conflict");
	ok(strstr(f.err.msg, "owned by tun6in4; give this entry the same 'dev' and 'via'") != NULL,
	   "naming tun6in4: %s", f.err.msg);
	done(&f);

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	have_foreign(&f, default_route(TABLE, DEV, GW, RTPROT_STATIC));
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == -EEXIST &&
		   strstr(f.err.msg, "owned by hand (protocol static); remove it ('ip -6 route del default table 100')"),
	   "a hand-made route, even an identical one, is never taken over: %s", f.err.msg);
	done(&f);

	/* Another table's routes are none of this table's business. */
	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	have_foreign(&f, default_route(TABLE + 1, DEV, "2001:db8:a::9", RTPROT_STATIC));
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 3, "other tables ignored");
	done(&f);
}

static void fallthrough(void)
{
	struct fixture f = { 0 };

	want(&f, "2001:db8:a::2 dev t0 via " GW " fallthrough", DEV, TABLE);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 2 &&
		   is_op(&f.plan.ops[0], SR_ROUTE_ADD, RTN_UNICAST) &&
		   is_op(&f.plan.ops[1], SR_RULE_ADD, 0),
	   "fallthrough: no unreachable default");
	have_applied(&f);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == 0 && f.plan.n == 1 &&
		   is_op(&f.plan.ops[0], SR_ROUTE_DEL, RTN_UNREACHABLE),
	   "a closed table opened by fallthrough: its unreachable default goes");
	done(&f);

	want(&f, "2001:db8:a::2 dev t0 via " GW, DEV, TABLE);
	want(&f, "2001:db8:a::3 dev t0 via " GW " fallthrough", DEV, TABLE);
	ok(plan(&f, SR_OWNER_FILE, SR_PLAN_PRUNE) == -EINVAL, "one table, closed and open: refused");
	is_str(f.err.msg,
	       "test.conf:2: table 100 is closed for line 1; give both entries the same 'fallthrough' or separate tables",
	       "naming both lines");
	done(&f);
}

static void removal(void)
{
	struct fixture f = { 0 };
	struct v6_prefix from;
	struct v6_err err;

	have_applied(&f);
	have_rule(&f, "2001:db8:a::3", 5000, TABLE, "manual");
	v6_parse_prefix("2001:db8:a::3", V6_PARSE_ANY, &from, "source", &err);
	ok(sr_plan_remove(&f.st, &from, NULL, &f.plan, &err) == 0 && f.plan.n == 1 &&
		   is_op(&f.plan.ops[0], SR_RULE_DEL, 0),
	   "del: the rule only while another rule uses the table");
	sr_plan_free(&f.plan);
	ok(sr_plan_remove(&f.st, NULL, "manual", &f.plan, &err) == 0 && f.plan.n == 1,
	   "flush owner manual: its rule only");
	sr_plan_free(&f.plan);
	ok(sr_plan_remove(&f.st, NULL, NULL, &f.plan, &err) == 0 && f.plan.n == 4,
	   "flush owner all: both rules and both routes");
	done(&f);
}

int main(void)
{
	unchanged();
	first_apply_fails_closed();
	changed_gateway();
	removed_source();
	owner_isolation();
	shared_with_tun6in4();
	fallthrough();
	removal();
	return done_testing();
}
