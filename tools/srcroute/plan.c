#define _GNU_SOURCE
/* From a configuration and the kernel's state to a list of operations,
 * and the transactional execution of that list. */
#include "srcroute.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

static int families(int family, int out[2])
{
	if (family != AF_UNSPEC) {
		out[0] = family;
		return 1;
	}
	out[0] = AF_INET;
	out[1] = AF_INET6;
	return 2;
}

static int push_u32(uint32_t **v, size_t *n, uint32_t x)
{
	uint32_t *nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = x;
	*v = nv;
	return 0;
}

int sr_state_read(struct v6_nl *nl, int family, struct sr_state *st, struct v6_err *err)
{
	int fams[2], nf = families(family, fams);

	memset(st, 0, sizeof(*st));
	for (int f = 0; f < nf; f++) {
		struct v6_rule *rules = NULL;
		struct v6_route *routes = NULL;
		int nr = v6_rule_list(nl, fams[f], 0, &rules, err), nrt;

		if (nr < 0)
			return nr;
		nrt = v6_route_list(nl, fams[f], 0, &routes, err);
		if (nrt < 0) {
			free(rules);
			return nrt;
		}
		void *a = realloc(st->rules, (st->nrules + (size_t)nr + 1) * sizeof(*rules));
		void *b = a ? realloc(st->routes, (st->nroutes + (size_t)nrt + 1) * sizeof(*routes))
			    : NULL;
		if (a)
			st->rules = a;
		if (b)
			st->routes = b;
		if (!a || !b) {
			free(rules);
			free(routes);
			return v6_err_set(err, -ENOMEM, "out of memory");
		}
		for (int i = 0; i < nr; i++) {
			if (push_u32(&st->used_tables, &st->nused, rules[i].table) < 0)
				goto nomem;
			if (rules[i].protocol == V6_PROTO_SRCROUTE)
				st->rules[st->nrules++] = rules[i];
		}
		for (int i = 0; i < nrt; i++) {
			if (push_u32(&st->used_tables, &st->nused, routes[i].table) < 0)
				goto nomem;
			if (routes[i].protocol == V6_PROTO_SRCROUTE)
				st->routes[st->nroutes++] = routes[i];
		}
		free(rules);
		free(routes);
		continue;
	nomem:
		free(rules);
		free(routes);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

void sr_state_free(struct sr_state *st)
{
	free(st->rules);
	free(st->routes);
	free(st->used_tables);
	memset(st, 0, sizeof(*st));
}

int sr_plan_push(struct sr_plan *plan, const struct sr_op *op)
{
	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 32;
		struct sr_op *v = realloc(plan->ops, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		plan->ops = v;
		plan->cap = cap;
	}
	plan->ops[plan->n++] = *op;
	return 0;
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

/* ---- building ---- */

struct builder {
	struct v6_nl *nl;
	const struct sr_conf *conf;
	const struct sr_state *st;
	struct sr_plan *plan;
	struct v6_route *want_routes;
	const struct sr_entry **route_entry;
	size_t nwant_routes;
	struct v6_rule *want_rules;
	const struct sr_entry **rule_entry;
	size_t nwant_rules;
	struct { char name[16]; int ifindex; } *devs;
	size_t ndevs;
};

static bool table_taken(uint32_t id, void *arg)
{
	struct builder *b = arg;
	for (size_t i = 0; i < b->st->nused; i++)
		if (b->st->used_tables[i] == id)
			return true;
	for (size_t i = 0; i < b->plan->nnew; i++)
		if (b->plan->newtables[i].id == id)
			return true;
	return false;
}

static int resolve_table(struct builder *b, const struct sr_entry *e, uint32_t *id,
			 struct v6_err *err)
{
	const char *name = sr_entry_table(e);
	struct sr_plan *p = b->plan;
	int rc = v6_rtnames_resolve(&p->names, name, id, err);

	if (rc != -ENOENT)
		return rc;
	for (size_t i = 0; i < p->nnew; i++)
		if (!strcmp(p->newtables[i].name, name)) {
			*id = p->newtables[i].id;
			return 0;
		}
	struct sr_newtable *v = realloc(p->newtables, (p->nnew + 1) * sizeof(*v));
	if (!v)
		return v6_err_set(err, -ENOMEM, "out of memory");
	p->newtables = v;
	*id = v6_rtnames_free_id(&p->names, table_taken, b);
	snprintf(v[p->nnew].name, sizeof(v[p->nnew].name), "%s", name);
	v[p->nnew++].id = *id;
	return 0;
}

static int resolve_dev(struct builder *b, const char *name, int *ifindex, struct v6_err *err)
{
	struct v6_link l;
	int rc;

	for (size_t i = 0; i < b->ndevs; i++)
		if (!strcmp(b->devs[i].name, name)) {
			*ifindex = b->devs[i].ifindex;
			return 0;
		}
	if ((rc = v6_link_by_name(b->nl, name, &l, err)) < 0)
		return rc;
	void *v = realloc(b->devs, (b->ndevs + 1) * sizeof(*b->devs));
	if (!v)
		return v6_err_set(err, -ENOMEM, "out of memory");
	b->devs = v;
	snprintf(b->devs[b->ndevs].name, sizeof(b->devs[0].name), "%s", name);
	b->devs[b->ndevs++].ifindex = l.ifindex;
	*ifindex = l.ifindex;
	return 0;
}

static bool same_route_key(const struct v6_route *a, const struct v6_route *b)
{
	return a->family == b->family && a->table == b->table && a->metric == b->metric &&
	       v6_prefix_equal(&a->dst, &b->dst);
}

static bool same_nexthop(const struct v6_route *a, const struct v6_route *b)
{
	return a->ifindex == b->ifindex && a->has_gw == b->has_gw &&
	       (!a->has_gw || v6_addr_equal(&a->gw, &b->gw));
}

static bool same_rule(const struct v6_rule *a, const struct v6_rule *b)
{
	return a->family == b->family && a->prio == b->prio && a->table == b->table &&
	       v6_prefix_equal(&a->src, &b->src);
}

/* Wanted objects from the entries, one default route per table and family. */
static int want_entries(struct builder *b, int family, struct v6_err *err)
{
	const struct sr_conf *conf = b->conf;
	char where[4200];

	b->want_routes = calloc(conf->n + 1, sizeof(*b->want_routes));
	b->route_entry = calloc(conf->n + 1, sizeof(*b->route_entry));
	b->want_rules = calloc(conf->n + 1, sizeof(*b->want_rules));
	b->rule_entry = calloc(conf->n + 1, sizeof(*b->rule_entry));
	if (!b->want_routes || !b->route_entry || !b->want_rules || !b->rule_entry)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < conf->n; i++) {
		const struct sr_entry *e = &conf->v[i];
		int fam = e->from.addr.family, rc;
		struct v6_route r = { .family = fam, .protocol = V6_PROTO_SRCROUTE };
		uint32_t table;

		if (family != AF_UNSPEC && fam != family)
			continue;
		if ((rc = resolve_dev(b, e->dev, &r.ifindex, err)) < 0 ||
		    (rc = resolve_table(b, e, &table, err)) < 0)
			return conf->source ? v6_err_prefix(err, rc, "%s:%u", conf->source, e->line) : rc;
		r.table = table;
		r.dst.addr.family = fam;
		/* The kernel files IPv6 routes without a metric under 1024. */
		r.metric = fam == AF_INET6 ? 1024 : 0;
		r.has_gw = e->has_via;
		r.gw = e->via;
		size_t k;
		for (k = 0; k < b->nwant_routes; k++)
			if (same_route_key(&b->want_routes[k], &r))
				break;
		if (k == b->nwant_routes) {
			b->route_entry[k] = e;
			b->want_routes[b->nwant_routes++] = r;
		} else if (!same_nexthop(&b->want_routes[k], &r)) {
			return v6_err_set(err, -EINVAL,
					  "%stable %u already routes through another device or gateway for line %u; give this entry a table of its own",
					  sr_where(conf, e, where, sizeof(where)), table,
					  b->route_entry[k]->line);
		}
		b->rule_entry[b->nwant_rules] = e;
		b->want_rules[b->nwant_rules++] = (struct v6_rule){
			.family = fam, .prio = sr_entry_prio(e), .src = e->from, .table = table,
			.protocol = V6_PROTO_SRCROUTE,
		};
	}
	return 0;
}

/* The kernel's rules indexed by source, so that matching a file of n
 * entries costs n log n instead of n squared. */
static int cmp_rule_src(const void *a, const void *b, void *arg)
{
	const struct v6_rule *rules = arg;
	const struct v6_rule *x = &rules[*(const size_t *)a], *y = &rules[*(const size_t *)b];

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	int c = memcmp(x->src.addr.bytes, y->src.addr.bytes, 16);
	if (c)
		return c;
	return x->src.len < y->src.len ? -1 : x->src.len > y->src.len;
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
		const struct v6_rule *r = &st->rules[by_src[mid]];
		int c = r->family != w->family ? (r->family < w->family ? -1 : 1)
					       : memcmp(r->src.addr.bytes, w->src.addr.bytes, 16);
		if (!c)
			c = r->src.len < w->src.len ? -1 : r->src.len > w->src.len;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int sr_plan_build(struct v6_nl *nl, const struct sr_conf *conf, const struct sr_state *st,
		  int family, int flags, struct sr_plan *plan, struct v6_err *err)
{
	struct builder b = { .nl = nl, .conf = conf, .st = st, .plan = plan };
	const bool prune = flags & SR_PLAN_PRUNE;
	char where[4200], tn[64], a[V6_ADDRSTRLEN];
	bool *route_kept = calloc(st->nroutes + 1, sizeof(bool));
	bool *rule_kept = calloc(st->nrules + 1, sizeof(bool));
	size_t *by_src = rules_by_src(st);
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (!route_kept || !rule_kept || !by_src) {
		rc = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = v6_rtnames_load(&plan->names, v6_iproute2_dir(), err)) < 0 ||
	    (rc = want_entries(&b, family, err)) < 0)
		goto out;

	/* 1. Routes to add or change, before any rule points at them. */
	for (size_t i = 0; i < b.nwant_routes; i++) {
		const struct v6_route *w = &b.want_routes[i];
		struct sr_op op = { .kind = SR_ROUTE_ADD, .route = *w, .entry = b.route_entry[i] };
		size_t k;
		for (k = 0; k < st->nroutes; k++)
			if (same_route_key(&st->routes[k], w))
				break;
		if (k < st->nroutes) {
			route_kept[k] = true;
			if (same_nexthop(&st->routes[k], w))
				continue;
			if (!prune) {
				rc = v6_err_set(err, -EEXIST,
						"%stable %s already has a default route through another device or gateway",
						sr_where(conf, op.entry, where, sizeof(where)),
						sr_table_name(&plan->names, w->table, tn, sizeof(tn)));
				goto out;
			}
			op.kind = SR_ROUTE_REPLACE;
			op.old_route = st->routes[k];
		}
		if ((rc = sr_plan_push(plan, &op)) < 0)
			goto nomem;
	}
	/* 2. Rules to add. */
	for (size_t i = 0; i < b.nwant_rules; i++) {
		const struct v6_rule *w = &b.want_rules[i];
		struct sr_op op = { .kind = SR_RULE_ADD, .rule = *w, .entry = b.rule_entry[i] };
		bool found = false;
		for (size_t o = rules_from(st, by_src, w); o < st->nrules; o++) {
			size_t k = by_src[o];
			if (!v6_prefix_equal(&st->rules[k].src, &w->src) ||
			    st->rules[k].family != w->family)
				break;
			if (same_rule(&st->rules[k], w)) {
				rule_kept[k] = found = true;
			} else if (!prune && v6_prefix_equal(&st->rules[k].src, &w->src)) {
				rc = v6_err_set(err, -EEXIST,
						"%ssource '%s' is already routed by table %s priority %u; 'del' it first",
						sr_where(conf, op.entry, where, sizeof(where)),
						v6_prefix_str(&w->src, a, sizeof(a)),
						sr_table_name(&plan->names, st->rules[k].table, tn, sizeof(tn)),
						st->rules[k].prio);
				goto out;
			}
		}
		if (!found && (rc = sr_plan_push(plan, &op)) < 0)
			goto nomem;
	}
	/* 3. Stale rules, then the stale routes they pointed at. */
	for (size_t k = 0; prune && k < st->nrules; k++)
		if (!rule_kept[k] &&
		    (rc = sr_plan_push(plan, &(struct sr_op){ .kind = SR_RULE_DEL,
							   .rule = st->rules[k] })) < 0)
			goto nomem;
	for (size_t k = 0; prune && k < st->nroutes; k++)
		if (!route_kept[k] &&
		    (rc = sr_plan_push(plan, &(struct sr_op){ .kind = SR_ROUTE_DEL,
							   .route = st->routes[k] })) < 0)
			goto nomem;
	rc = 0;
	goto out;
nomem:
	rc = v6_err_set(err, -ENOMEM, "out of memory");
out:
	free(route_kept);
	free(rule_kept);
	free(by_src);
	free(b.want_routes);
	free(b.route_entry);
	free(b.want_rules);
	free(b.rule_entry);
	free(b.devs);
	return rc;
}

/* ---- executing ---- */

static struct nl_msg *op_msg(const struct sr_op *op, bool undo, struct v6_err *err)
{
	switch (op->kind) {
	case SR_ROUTE_ADD:
		return undo ? v6_route_msg(&op->route, false, 0, err)
			    : v6_route_msg(&op->route, true, V6_NL_EXCL, err);
	case SR_ROUTE_REPLACE:
		return v6_route_msg(undo ? &op->old_route : &op->route, true, V6_NL_REPLACE, err);
	case SR_ROUTE_DEL:
		return undo ? v6_route_msg(&op->route, true, V6_NL_EXCL, err)
			    : v6_route_msg(&op->route, false, 0, err);
	case SR_RULE_ADD:
		return v6_rule_msg(&op->rule, !undo, err);
	case SR_RULE_DEL:
		return v6_rule_msg(&op->rule, undo, err);
	}
	return NULL;
}

static void op_words(const struct sr_op *op, const struct v6_rtnames *names, FILE *out)
{
	char a[V6_ADDRSTRLEN], tn[64], dev[IF_NAMESIZE];
	const char *fam;

	switch (op->kind) {
	case SR_ROUTE_ADD:
	case SR_ROUTE_REPLACE:
	case SR_ROUTE_DEL: {
		const struct v6_route *r = &op->route;
		fam = r->family == AF_INET ? "-4" : "-6";
		fprintf(out, "ip %s route %s %s", fam,
			op->kind == SR_ROUTE_ADD ? "add" : op->kind == SR_ROUTE_DEL ? "del" : "replace",
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
		op_words(&plan->ops[i], &plan->names, out);
		fputc('\n', out);
	}
}

/* Undo the ops that took effect, newest first. */
static int rollback(struct v6_nl *nl, const struct sr_plan *plan, const int *rc)
{
	struct nl_msg **msgs = calloc(plan->n + 1, sizeof(*msgs));
	int *urc = calloc(plan->n + 1, sizeof(*urc));
	size_t n = 0;
	struct v6_err ignored;
	int failed = -ENOMEM;

	if (msgs && urc) {
		for (size_t i = plan->n; i-- > 0;)
			if (rc[i] == 0 && (msgs[n] = op_msg(&plan->ops[i], true, &ignored)))
				n++;
		failed = v6_nl_talk_many(nl, msgs, n, urc, &ignored);
	}
	free(msgs);
	free(urc);
	return failed;
}

int sr_plan_exec(struct v6_nl *nl, const struct sr_conf *conf, struct sr_plan *plan,
		 struct v6_err *err)
{
	struct nl_msg **msgs;
	int *rc, failed, ret = 0;
	char where[4200];

	if (!plan->n)
		goto register_names;
	msgs = calloc(plan->n, sizeof(*msgs));
	rc = calloc(plan->n, sizeof(*rc));
	if (!msgs || !rc) {
		free(msgs);
		free(rc);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n; i++)
		if (!(msgs[i] = op_msg(&plan->ops[i], false, err))) {
			for (size_t k = 0; k < i; k++)
				nlmsg_free(msgs[k]);
			free(msgs);
			free(rc);
			return -ENOMEM;
		}
	failed = v6_nl_talk_many(nl, msgs, plan->n, rc, err);
	free(msgs);
	if (failed != 0) {
		size_t i = 0;
		char *text = NULL;
		size_t tlen = 0;
		FILE *m = open_memstream(&text, &tlen);

		while (failed > 0 && i < plan->n && rc[i] == 0)
			i++;
		ret = failed < 0 ? failed : rc[i];
		if (m && failed > 0) {
			if (plan->ops[i].entry)
				fprintf(m, "%s", sr_where(conf, plan->ops[i].entry, where, sizeof(where)));
			op_words(&plan->ops[i], &plan->names, m);
		}
		if (m)
			fclose(m);
		int urc = rollback(nl, plan, rc);
		v6_err_prefix(err, ret, "%s", text ? text : "netlink");
		free(text);
		if (urc != 0) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l,
				 "; ROLLBACK INCOMPLETE, check 'srcroute show'");
		} else {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, "; nothing was changed");
		}
		free(rc);
		return ret;
	}
	free(rc);
register_names:
	for (size_t i = 0; i < plan->nnew; i++) {
		ret = v6_rtnames_register(v6_iproute2_dir(), SR_TABLES_FILE, plan->newtables[i].name,
					  plan->newtables[i].id, err);
		if (ret < 0) {
			int *all = calloc(plan->n + 1, sizeof(int));
			if (all)
				rollback(nl, plan, all);
			free(all);
			return ret;
		}
	}
	return 0;
}

int sr_plan_remove(const struct sr_state *st, const struct v6_prefix *from, struct sr_plan *plan,
		   struct v6_err *err)
{
	bool *gone = calloc(st->nrules + 1, sizeof(bool));

	if (!gone)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < st->nrules; k++) {
		if (from && !v6_prefix_equal(&st->rules[k].src, from))
			continue;
		gone[k] = true;
		if (sr_plan_push(plan, &(struct sr_op){ .kind = SR_RULE_DEL, .rule = st->rules[k] }))
			goto nomem;
	}
	/* A table's route goes with the last of our rules that used it. */
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
