/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
/* The planner: from the wanted entries (devices and tables already
 * resolved to numbers) and what the kernel holds (plain arrays in struct
 * sr_state) to the list of operations that makes the kernel match.  No
 * system call here but the device names in error messages, so unit tests
 * can feed it any state they like. */
#include "srcroute.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

int sr_plan_push(struct sr_plan *plan, const struct sr_op *op)
{
	return v6_append(&plan->ops, &plan->n, &plan->cap, op, sizeof(*op));
}

void sr_plan_free(struct sr_plan *plan)
{
	free(plan->ops);
	free(plan->newtables);
	v6_rtnames_free(&plan->names);
	memset(plan, 0, sizeof(*plan));
}

const char *sr_table_name(const struct v6_rtnames *names, uint32_t id, char *buf, size_t len)
{
	const char *n = v6_rtnames_name(names, id);
	if (n)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "%u", id);
	return buf;
}

/* Who made a route, for messages. */
const char *sr_proto_name(uint8_t proto, char *buf, size_t len)
{
	static const struct { uint8_t p; const char *name; } known[] = {
		{ V6_PROTO_SRCROUTE, "srcroute" }, { V6_PROTO_TUN6IN4, "tun6in4" },
		{ V6_PROTO_NDPROXY, "ndproxy" },   { RTPROT_KERNEL, "the kernel" },
		{ RTPROT_BOOT, "hand (protocol boot)" }, { RTPROT_STATIC, "hand (protocol static)" },
		{ RTPROT_RA, "router advertisements" },  { RTPROT_DHCP, "DHCP" },
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].p == proto)
			return snprintf(buf, len, "%s", known[i].name), buf;
	snprintf(buf, len, "protocol %u", proto);
	return buf;
}

static int push(struct sr_plan *plan, const struct sr_op *op, struct v6_err *err)
{
	return sr_plan_push(plan, op) < 0 ? v6_err_set(err, -ENOMEM, "out of memory") : 0;
}

/* ---- comparing ---- */

static uint8_t rtype(const struct v6_route *r)
{
	return r->type ? r->type : RTN_UNICAST;
}

static bool same_route_key(const struct v6_route *a, const struct v6_route *b)
{
	return a->family == b->family && a->table == b->table && a->metric == b->metric &&
	       rtype(a) == rtype(b) && v6_prefix_equal(&a->dst, &b->dst);
}

static bool same_nexthop(const struct v6_route *a, const struct v6_route *b)
{
	return a->ifindex == b->ifindex && a->has_gw == b->has_gw &&
	       (!a->has_gw || v6_addr_equal(&a->gw, &b->gw));
}

/* Two routes through one device go the same way unless both name
 * different gateways: a tunnel has one neighbour, its far end, so an
 * entry without `via` is served by a route via that far end. */
static bool same_way(const struct v6_route *a, const struct v6_route *b)
{
	return a->ifindex == b->ifindex &&
	       (!a->has_gw || !b->has_gw || v6_addr_equal(&a->gw, &b->gw));
}

static bool same_rule(const struct v6_rule *a, const struct v6_rule *b)
{
	return a->family == b->family && a->prio == b->prio && a->table == b->table &&
	       v6_prefix_equal(&a->src, &b->src);
}

static struct v6_route unreachable_default(int family, uint32_t table)
{
	struct v6_route r = { .family = family, .table = table, .protocol = V6_PROTO_SRCROUTE,
			      .metric = SR_CLOSED_METRIC, .type = RTN_UNREACHABLE };
	r.dst.addr.family = family;
	return r;
}

/* "via GW dev DEV" of a route, for messages. */
static const char *nexthop_words(const struct v6_route *r, char *buf, size_t len)
{
	char a[V6_ADDRSTRLEN], dev[IF_NAMESIZE];
	int n = 0;

	buf[0] = '\0';
	if (r->has_gw)
		n = snprintf(buf, len, "via %s ", v6_addr_str(&r->gw, a, sizeof(a)));
	if (r->ifindex)
		snprintf(buf + n, len - (size_t)n, "dev %s",
			 if_indextoname((unsigned)r->ifindex, dev) ? dev : "?");
	else if (n)
		buf[n - 1] = '\0';
	return buf;
}

/* ---- what is wanted ---- */

struct want_table {
	int family;
	uint32_t table;
	struct v6_route route; /* the unicast default its entries want */
	bool closed;
	const struct sr_entry *entry; /* the first entry that uses it */
};

struct planner {
	const struct sr_conf *conf;
	const struct sr_state *st;
	struct sr_plan *plan;
	struct v6_rule *want_rules;
	const struct sr_entry **rule_entry;
	size_t nwant_rules;
	struct want_table *tables;
	size_t ntables;
	struct v6_err *err;
};

/* Wanted rules from the entries, and one table each (family, table id)
 * with the default route its entries share. */
static int want_entries(struct planner *p, const struct sr_want *want, size_t n)
{
	const struct sr_conf *conf = p->conf;
	char where[4200];

	p->want_rules = calloc(n + 1, sizeof(*p->want_rules));
	p->rule_entry = calloc(n + 1, sizeof(*p->rule_entry));
	p->tables = calloc(n + 1, sizeof(*p->tables));
	if (!p->want_rules || !p->rule_entry || !p->tables)
		return v6_err_set(p->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const struct sr_entry *e = want[i].entry;
		int fam = e->from.addr.family;
		uint32_t table = want[i].table;
		struct v6_route r = { .family = fam, .protocol = V6_PROTO_SRCROUTE,
				      .type = RTN_UNICAST, .ifindex = want[i].ifindex,
				      .table = table, .has_gw = e->has_via, .gw = e->via };

		r.dst.addr.family = fam;
		/* The kernel files IPv6 routes without a metric under 1024. */
		r.metric = fam == AF_INET6 ? 1024 : 0;
		size_t k;
		for (k = 0; k < p->ntables; k++)
			if (p->tables[k].family == fam && p->tables[k].table == table)
				break;
		if (k == p->ntables) {
			p->tables[p->ntables++] = (struct want_table){
				.family = fam, .table = table, .route = r, .closed = !e->fallthrough,
				.entry = e,
			};
		} else if (!same_nexthop(&p->tables[k].route, &r)) {
			return v6_err_set(p->err, -EINVAL,
					  "%stable %u already routes through another device or gateway for line %u; give this entry a table of its own",
					  sr_where(conf, e, where, sizeof(where)), table,
					  p->tables[k].entry->line);
		} else if (p->tables[k].closed == e->fallthrough) {
			return v6_err_set(p->err, -EINVAL,
					  "%stable %u is %s for line %u; give both entries the same 'fallthrough' or separate tables",
					  sr_where(conf, e, where, sizeof(where)), table,
					  p->tables[k].closed ? "closed" : "open (fallthrough)",
					  p->tables[k].entry->line);
		}
		p->rule_entry[p->nwant_rules] = e;
		p->want_rules[p->nwant_rules++] = (struct v6_rule){
			.family = fam, .prio = sr_entry_prio(e), .src = e->from, .table = table,
			.protocol = V6_PROTO_SRCROUTE,
		};
	}
	return 0;
}

/* The kernel's rules indexed by source, so that matching a file of n
 * entries costs n log n instead of n squared. */
static int cmp_src(const struct v6_rule *x, const struct v6_rule *y)
{
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->src.addr.bytes, y->src.addr.bytes, 16);
	if (c)
		return c;
	return x->src.len < y->src.len ? -1 : x->src.len > y->src.len;
}

static int cmp_rule_src(const void *a, const void *b, void *arg)
{
	const struct v6_rule *rules = arg;
	return cmp_src(&rules[*(const size_t *)a], &rules[*(const size_t *)b]);
}

static size_t *rules_by_src(const struct sr_state *st)
{
	size_t *v = malloc((st->nrules + 1) * sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < st->nrules; i++)
		v[i] = i;
	if (st->nrules)
		qsort_r(v, st->nrules, sizeof(*v), cmp_rule_src, st->rules);
	return v;
}

/* First position in by_src whose rule has w's source (or st->nrules). */
static size_t rules_from(const struct sr_state *st, const size_t *by_src, const struct v6_rule *w)
{
	size_t lo = 0, hi = st->nrules;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_src(&st->rules[by_src[mid]], w) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A rule of ours in (family, table) that stays after the plan and is not
 * one of the wanted ones: another entry's.  Returns its index or -1. */
static long other_user(const struct sr_state *st, const bool *stays, const bool *kept, int family,
		       uint32_t table)
{
	for (size_t k = 0; k < st->nrules; k++)
		if (stays[k] && !kept[k] && st->rules[k].family == family &&
		    st->rules[k].table == table)
			return (long)k;
	return -1;
}

/* ---- each wanted table ---- */

/* The table's default route when the plan wants one: ours, an equivalent
 * one of tun6in4's (which then serves both), or a conflict. */
static int plan_table_route(struct planner *p, const struct want_table *t, long other,
			    bool prune, bool *route_kept)
{
	const struct sr_state *st = p->st;
	const struct v6_route *w = &t->route;
	char where[4200], tn[64], nh[128], who[64], a[V6_ADDRSTRLEN];
	struct sr_op op = { .kind = SR_ROUTE_ADD, .route = *w, .entry = t->entry };
	const char *fam = w->family == AF_INET ? "-4" : "-6";
	size_t k;

	sr_where(p->conf, t->entry, where, sizeof(where));
	sr_table_name(&p->plan->names, w->table, tn, sizeof(tn));
	for (k = 0; k < st->nroutes; k++)
		if (same_route_key(&st->routes[k], w))
			break;
	if (k < st->nroutes) {
		route_kept[k] = true;
		if (same_nexthop(&st->routes[k], w))
			return 0;
		if (!prune || other >= 0) {
			if (other >= 0)
				snprintf(who, sizeof(who), "for source %s of owner '%s'",
					 v6_prefix_str(&st->rules[other].src, a, sizeof(a)),
					 st->owner[other]);
			else
				snprintf(who, sizeof(who), "for another entry");
			return v6_err_set(p->err, -EEXIST,
					  "%stable %s already has a default route %s that srcroute made %s; use the same 'dev' and 'via', or another table",
					  where, tn, nexthop_words(&st->routes[k], nh, sizeof(nh)),
					  who);
		}
		op.kind = SR_ROUTE_REPLACE;
		op.old_route = st->routes[k];
		return push(p->plan, &op, p->err);
	}
	/* Not ours: is the slot free, or taken by an equivalent route?
	 * Contract with tun6in4: an equivalent route of the other tool's
	 * serves both; neither replaces or deletes the other's. */
	const struct v6_route *first = NULL;
	for (size_t i = 0; i < st->nforeign; i++) {
		const struct v6_route *f = &st->foreign[i];
		if (f->family != w->family || f->table != w->table)
			continue;
		if (f->protocol == V6_PROTO_TUN6IN4 && same_way(f, w))
			return 0;
		if (!first)
			first = f;
	}
	if (!first)
		return push(p->plan, &op, p->err);
	nexthop_words(first, nh, sizeof(nh));
	if (first->protocol == V6_PROTO_TUN6IN4)
		return v6_err_set(p->err, -EEXIST,
				  "%stable %s already has a default route %s owned by tun6in4; give this entry the same 'dev' and 'via' (or no 'via') to share it, or another table",
				  where, tn, nh);
	return v6_err_set(p->err, -EEXIST,
			  "%stable %s already has a default route %s owned by %s; remove it ('ip %s route del default table %s') or give this entry another table",
			  where, tn, nh, sr_proto_name(first->protocol, who, sizeof(who)), fam, tn);
}

/* Fail closed (or, with fallthrough, open): the table's unreachable
 * default, behind any real default route. */
static int plan_table_closure(struct planner *p, const struct want_table *t, long other,
			      bool *route_kept)
{
	const struct sr_state *st = p->st;
	struct v6_route z = unreachable_default(t->family, t->table);
	char where[4200], tn[64];
	size_t k;

	sr_where(p->conf, t->entry, where, sizeof(where));
	sr_table_name(&p->plan->names, t->table, tn, sizeof(tn));
	for (k = 0; k < st->nroutes; k++)
		if (same_route_key(&st->routes[k], &z))
			break;
	bool have = k < st->nroutes;
	if (have)
		route_kept[k] = true;
	if (t->closed == have)
		return 0;
	if (other >= 0)
		return v6_err_set(p->err, -EEXIST,
				  t->closed ? "%stable %s lets traffic fall through for owner '%s'; add 'fallthrough' to this entry or give it another table"
					    : "%stable %s is closed for owner '%s'; drop 'fallthrough' or give this entry another table",
				  where, tn, st->owner[other]);
	struct sr_op op = { .kind = t->closed ? SR_ROUTE_ADD : SR_ROUTE_DEL,
			    .route = have ? st->routes[k] : z, .entry = t->entry };
	return push(p->plan, &op, p->err);
}

/* ---- the whole plan ---- */

/* Which of this owner's wanted rules are already there (kept), and which
 * to add; a source held otherwise is a conflict unless pruned. */
static int plan_rules(struct planner *p, const char *scope, bool prune, bool *rule_kept,
		      struct sr_plan *adds)
{
	const struct sr_state *st = p->st;
	char where[4200], tn[64], a[V6_ADDRSTRLEN];
	size_t *by_src = rules_by_src(st);
	int rc = 0;

	if (!by_src)
		return v6_err_set(p->err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < p->nwant_rules && !rc; i++) {
		const struct v6_rule *w = &p->want_rules[i];
		bool found = false;
		for (size_t o = rules_from(st, by_src, w); o < st->nrules && !rc; o++) {
			size_t k = by_src[o];
			const struct v6_rule *r = &st->rules[k];
			bool mine = !strcmp(st->owner[k], scope);
			if (!v6_prefix_equal(&r->src, &w->src) || r->family != w->family)
				break;
			if (mine && same_rule(r, w)) {
				rule_kept[k] = found = true;
				continue;
			}
			if (mine && prune)
				continue; /* replaced: removed as stale */
			sr_where(p->conf, p->rule_entry[i], where, sizeof(where));
			v6_prefix_str(&w->src, a, sizeof(a));
			sr_table_name(&p->plan->names, r->table, tn, sizeof(tn));
			if (mine)
				rc = v6_err_set(p->err, -EEXIST,
						"%ssource '%s' is already routed by table %s priority %u; 'del' it first",
						where, a, tn, r->prio);
			else
				rc = v6_err_set(p->err, -EEXIST,
						"%ssource '%s' is already routed by table %s priority %u for owner '%s'; 'srcroute del %s owner %s' first",
						where, a, tn, r->prio, st->owner[k], a, st->owner[k]);
		}
		if (!rc && !found)
			rc = push(adds, &(struct sr_op){ .kind = SR_RULE_ADD, .rule = *w,
							 .entry = p->rule_entry[i] }, p->err);
	}
	free(by_src);
	return rc;
}

/* Our routes no rule uses any more (after the plan), of tables not wanted. */
static int plan_unused_routes(struct planner *p, const bool *stays, const bool *route_kept)
{
	const struct sr_state *st = p->st;

	for (size_t k = 0; k < st->nroutes; k++) {
		const struct v6_route *r = &st->routes[k];
		bool used = route_kept[k];
		for (size_t i = 0; i < p->ntables && !used; i++)
			used = p->tables[i].family == r->family && p->tables[i].table == r->table;
		for (size_t j = 0; j < st->nrules && !used; j++)
			used = stays[j] && st->rules[j].family == r->family &&
			       st->rules[j].table == r->table;
		if (!used) {
			int rc = push(p->plan, &(struct sr_op){ .kind = SR_ROUTE_DEL, .route = *r },
				      p->err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

int sr_plan_entries(const struct sr_conf *conf, const struct sr_want *want, size_t nwant,
		    const struct sr_state *st, const char *scope, int flags, struct sr_plan *plan,
		    struct v6_err *err)
{
	struct planner p = { .conf = conf, .st = st, .plan = plan, .err = err };
	const bool prune = flags & SR_PLAN_PRUNE;
	bool *route_kept = calloc(st->nroutes + 1, sizeof(bool));
	bool *rule_kept = calloc(st->nrules + 1, sizeof(bool));
	bool *stays = calloc(st->nrules + 1, sizeof(bool));
	struct sr_plan adds = { 0 };
	int rc;

	if (!route_kept || !rule_kept || !stays) {
		rc = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = want_entries(&p, want, nwant)) < 0)
		goto out;
	/* 1. Which rules stay: every other owner's, and this owner's unless
	 * pruned for not being wanted. */
	if ((rc = plan_rules(&p, scope, prune, rule_kept, &adds)) < 0)
		goto out;
	for (size_t k = 0; k < st->nrules; k++)
		stays[k] = rule_kept[k] || !prune || strcmp(st->owner[k], scope);
	/* 2. Each wanted table's routes, before any rule points at them. */
	for (size_t i = 0; i < p.ntables && !rc; i++) {
		long other = other_user(st, stays, rule_kept, p.tables[i].family, p.tables[i].table);
		if ((rc = plan_table_route(&p, &p.tables[i], other, prune, route_kept)) == 0)
			rc = plan_table_closure(&p, &p.tables[i], other, route_kept);
	}
	/* 3. Then the new rules. */
	for (size_t i = 0; i < adds.n && !rc; i++)
		rc = push(plan, &adds.ops[i], err);
	if (rc < 0 || !prune)
		goto out;
	/* 4. Stale rules of this owner, then our routes no rule uses. */
	for (size_t k = 0; k < st->nrules && !rc; k++)
		if (!stays[k])
			rc = push(plan, &(struct sr_op){ .kind = SR_RULE_DEL, .rule = st->rules[k] },
				  err);
	if (!rc)
		rc = plan_unused_routes(&p, stays, route_kept);
out:
	sr_plan_free(&adds);
	free(route_kept);
	free(rule_kept);
	free(stays);
	free(p.want_rules);
	free(p.rule_entry);
	free(p.tables);
	return rc;
}

int sr_plan_remove(const struct sr_state *st, const struct v6_prefix *from, const char *scope,
		   struct sr_plan *plan, struct v6_err *err)
{
	bool *gone = calloc(st->nrules + 1, sizeof(bool));

	if (!gone)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < st->nrules; k++) {
		if (from && !v6_prefix_equal(&st->rules[k].src, from))
			continue;
		if (scope && strcmp(st->owner[k], scope))
			continue;
		gone[k] = true;
		if (sr_plan_push(plan, &(struct sr_op){ .kind = SR_RULE_DEL, .rule = st->rules[k] }))
			goto nomem;
	}
	/* A table's routes go with the last of our rules, of any owner, that
	 * used it; flush also sweeps routes no rule uses at all. */
	for (size_t r = 0; r < st->nroutes; r++) {
		const struct v6_route *rt = &st->routes[r];
		bool used = false, hit = !from;
		for (size_t k = 0; k < st->nrules; k++) {
			if (st->rules[k].table != rt->table || st->rules[k].family != rt->family)
				continue;
			if (gone[k])
				hit = true;
			else
				used = true;
		}
		if (hit && !used &&
		    sr_plan_push(plan, &(struct sr_op){ .kind = SR_ROUTE_DEL, .route = *rt }))
			goto nomem;
	}
	free(gone);
	return 0;
nomem:
	free(gone);
	return v6_err_set(err, -ENOMEM, "out of memory");
}
