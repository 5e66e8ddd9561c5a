/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
/* From a configuration and the kernel's state to a list of operations,
 * and the transactional execution of that list. */
#include "srcroute.h"

#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>
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

/* Every table id the kernel uses in either family: read only when a new
 * table needs an id. */
static int read_used_tables(struct v6_nl *nl, struct sr_state *st, struct v6_err *err)
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

void sr_state_free(struct sr_state *st)
{
	free(st->rules);
	free(st->owner);
	free(st->routes);
	free(st->used_tables);
	sr_owners_free(&st->owners);
	memset(st, 0, sizeof(*st));
}

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

/* ---- building ---- */

struct want_table {
	int family;
	uint32_t table;
	struct v6_route route; /* the unicast default its entries want */
	bool closed;
	const struct sr_entry *entry; /* the first entry that uses it */
};

struct builder {
	struct v6_nl *nl;
	const struct sr_conf *conf;
	struct sr_state *st;
	struct sr_plan *plan;
	const char *scope;
	struct v6_rule *want_rules;
	const struct sr_entry **rule_entry;
	size_t nwant_rules;
	struct want_table *tables;
	size_t ntables;
	struct sr_dev { char name[16]; int ifindex; } *devs;
	size_t ndevs, capdevs;
	int ioctl_fd;
	struct v6_err *err;
	int rc;
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
	/* A new name: the id must be free in the kernel too.  Callers hold
	 * sr_lock(), so no other run can pick the same id meanwhile. */
	if ((rc = read_used_tables(b->nl, b->st, err)) < 0)
		return rc;
	struct sr_newtable nt = { .id = v6_rtnames_free_id(&p->names, table_taken, b) };
	snprintf(nt.name, sizeof(nt.name), "%s", name);
	if (V6_APPEND(p->newtables, p->nnew, p->capnew, nt) < 0)
		return v6_err_set(err, -ENOMEM, "out of memory");
	*id = nt.id;
	return 0;
}

/* The device's index by SIOCGIFINDEX: one system call, where a netlink
 * request makes the kernel build (and us parse) the link's every
 * attribute and statistic. */
static int link_index(struct builder *b, const char *name, int *ifindex, struct v6_err *err)
{
	struct ifreq ifr = { 0 };

	if (b->ioctl_fd < 0 && (b->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		struct v6_link l = { 0 };
		int rc = v6_link_by_name(b->nl, name, &l, err);
		*ifindex = l.ifindex;
		return rc;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(b->ioctl_fd, SIOCGIFINDEX, &ifr) < 0)
		return errno == ENODEV ? v6_err_set(err, -ENODEV, "%s: no such device", name)
				       : v6_err_set(err, -errno, "%s: %s", name, strerror(errno));
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

static int resolve_dev(struct builder *b, const char *name, int *ifindex, struct v6_err *err)
{
	struct v6_link l = { 0 };
	int rc;

	for (size_t i = 0; i < b->ndevs; i++)
		if (!strcmp(b->devs[i].name, name)) {
			*ifindex = b->devs[i].ifindex;
			return 0;
		}
	if ((rc = link_index(b, name, &l.ifindex, err)) < 0)
		return rc;
	struct sr_dev d = { .ifindex = l.ifindex };
	snprintf(d.name, sizeof(d.name), "%s", name);
	if (V6_APPEND(b->devs, b->ndevs, b->capdevs, d) < 0)
		return v6_err_set(err, -ENOMEM, "out of memory");
	*ifindex = l.ifindex;
	return 0;
}

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

/* Wanted rules from the entries, and one table each (family, table id)
 * with the default route its entries share. */
static int want_entries(struct builder *b, int family, struct v6_err *err)
{
	const struct sr_conf *conf = b->conf;
	char where[4200];

	b->want_rules = calloc(conf->n + 1, sizeof(*b->want_rules));
	b->rule_entry = calloc(conf->n + 1, sizeof(*b->rule_entry));
	b->tables = calloc(conf->n + 1, sizeof(*b->tables));
	if (!b->want_rules || !b->rule_entry || !b->tables)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < conf->n; i++) {
		const struct sr_entry *e = &conf->v[i];
		int fam = e->from.addr.family, rc;
		struct v6_route r = { .family = fam, .protocol = V6_PROTO_SRCROUTE,
				      .type = RTN_UNICAST };
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
		for (k = 0; k < b->ntables; k++)
			if (b->tables[k].family == fam && b->tables[k].table == table)
				break;
		if (k == b->ntables) {
			b->tables[b->ntables++] = (struct want_table){
				.family = fam, .table = table, .route = r, .closed = !e->fallthrough,
				.entry = e,
			};
		} else if (!same_nexthop(&b->tables[k].route, &r)) {
			return v6_err_set(err, -EINVAL,
					  "%stable %u already routes through another device or gateway for line %u; give this entry a table of its own",
					  sr_where(conf, e, where, sizeof(where)), table,
					  b->tables[k].entry->line);
		} else if (b->tables[k].closed == e->fallthrough) {
			return v6_err_set(err, -EINVAL,
					  "%stable %u is %s for line %u; give both entries the same 'fallthrough' or separate tables",
					  sr_where(conf, e, where, sizeof(where)), table,
					  b->tables[k].closed ? "closed" : "open (fallthrough)",
					  b->tables[k].entry->line);
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

/* The table's default route when the plan wants one: ours, an equivalent
 * one of tun6in4's (which then serves both), or a conflict. */
static int plan_table_route(struct builder *b, const struct want_table *t, long other,
			    bool prune, bool *route_kept)
{
	struct sr_state *st = b->st;
	const struct v6_route *w = &t->route;
	char where[4200], tn[64], nh[128], who[64], a[V6_ADDRSTRLEN];
	struct sr_op op = { .kind = SR_ROUTE_ADD, .route = *w, .entry = t->entry };
	struct v6_err *err = b->err;
	const char *fam = w->family == AF_INET ? "-4" : "-6";
	size_t k;
	int rc;

	sr_where(b->conf, t->entry, where, sizeof(where));
	sr_table_name(&b->plan->names, w->table, tn, sizeof(tn));
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
			return v6_err_set(err, -EEXIST,
					  "%stable %s already has a default route %s that srcroute made %s; use the same 'dev' and 'via', or another table",
					  where, tn, nexthop_words(&st->routes[k], nh, sizeof(nh)),
					  who);
		}
		op.kind = SR_ROUTE_REPLACE;
		op.old_route = st->routes[k];
		return sr_plan_push(b->plan, &op) < 0 ? v6_err_set(err, -ENOMEM, "out of memory")
						       : 0;
	}
	/* Not ours: is the slot free, or taken by an equivalent route? */
	struct v6_route *foreign = NULL;
	int n = sr_foreign_defaults(b->nl, w->family, w->table, &foreign, err);
	if (n < 0)
		return n;
	rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		/* Contract with tun6in4: an equivalent route of the other tool's
		 * serves both; neither replaces or deletes the other's. */
		if (foreign[i].protocol == V6_PROTO_TUN6IN4 && same_way(&foreign[i], w)) {
			free(foreign);
			return 0;
		}
	}
	if (n > 0) {
		const struct v6_route *f = &foreign[0];
		nexthop_words(f, nh, sizeof(nh));
		if (f->protocol == V6_PROTO_TUN6IN4)
			rc = v6_err_set(err, -EEXIST,
					"%stable %s already has a default route %s owned by tun6in4; give this entry the same 'dev' and 'via' (or no 'via') to share it, or another table",
					where, tn, nh);
		else
			rc = v6_err_set(err, -EEXIST,
					"%stable %s already has a default route %s owned by %s; remove it ('ip %s route del default table %s') or give this entry another table",
					where, tn, nh, sr_proto_name(f->protocol, who, sizeof(who)),
					fam, tn);
		free(foreign);
		return rc;
	}
	free(foreign);
	return sr_plan_push(b->plan, &op) < 0 ? v6_err_set(err, -ENOMEM, "out of memory") : 0;
}

/* Fail closed (or, with fallthrough, open): the table's unreachable
 * default, behind any real default route. */
static int plan_table_closure(struct builder *b, const struct want_table *t, long other,
			      bool *route_kept)
{
	struct sr_state *st = b->st;
	struct v6_route z = unreachable_default(t->family, t->table);
	char where[4200], tn[64];
	size_t k;

	sr_where(b->conf, t->entry, where, sizeof(where));
	sr_table_name(&b->plan->names, t->table, tn, sizeof(tn));
	for (k = 0; k < st->nroutes; k++)
		if (same_route_key(&st->routes[k], &z))
			break;
	bool have = k < st->nroutes;
	if (have)
		route_kept[k] = true;
	if (t->closed == have)
		return 0;
	if (other >= 0)
		return v6_err_set(b->err, -EEXIST,
				  t->closed ? "%stable %s lets traffic fall through for owner '%s'; add 'fallthrough' to this entry or give it another table"
					    : "%stable %s is closed for owner '%s'; drop 'fallthrough' or give this entry another table",
				  where, tn, st->owner[other]);
	struct sr_op op = { .kind = t->closed ? SR_ROUTE_ADD : SR_ROUTE_DEL,
			    .route = have ? st->routes[k] : z, .entry = t->entry };
	return sr_plan_push(b->plan, &op) < 0 ? v6_err_set(b->err, -ENOMEM, "out of memory") : 0;
}

int sr_plan_build(struct v6_nl *nl, const struct sr_conf *conf, struct sr_state *st,
		  const char *scope, int family, int flags, struct sr_plan *plan,
		  struct v6_err *err)
{
	struct builder b = { .nl = nl, .conf = conf, .st = st, .plan = plan, .scope = scope,
			     .ioctl_fd = -1, .err = err };
	const bool prune = flags & SR_PLAN_PRUNE;
	char where[4200], tn[64], a[V6_ADDRSTRLEN];
	bool *route_kept = calloc(st->nroutes + 1, sizeof(bool));
	bool *rule_kept = calloc(st->nrules + 1, sizeof(bool));
	bool *stays = calloc(st->nrules + 1, sizeof(bool));
	size_t *by_src = rules_by_src(st);
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (!route_kept || !rule_kept || !stays || !by_src) {
		rc = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = v6_rtnames_load(&plan->names, v6_iproute2_dir(), err)) < 0 ||
	    (rc = want_entries(&b, family, err)) < 0)
		goto out;

	/* 1. Which rules stay: every other owner's, and this owner's unless
	 * pruned for not being wanted. */
	struct sr_plan rules = { 0 };
	for (size_t i = 0; i < b.nwant_rules; i++) {
		const struct v6_rule *w = &b.want_rules[i];
		bool found = false;
		for (size_t o = rules_from(st, by_src, w); o < st->nrules; o++) {
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
				continue; /* replaced: removed below as stale */
			sr_where(conf, b.rule_entry[i], where, sizeof(where));
			v6_prefix_str(&w->src, a, sizeof(a));
			sr_table_name(&plan->names, r->table, tn, sizeof(tn));
			if (mine)
				rc = v6_err_set(err, -EEXIST,
						"%ssource '%s' is already routed by table %s priority %u; 'del' it first",
						where, a, tn, r->prio);
			else
				rc = v6_err_set(err, -EEXIST,
						"%ssource '%s' is already routed by table %s priority %u for owner '%s'; 'srcroute del %s owner %s' first",
						where, a, tn, r->prio, st->owner[k], a, st->owner[k]);
			sr_plan_free(&rules);
			goto out;
		}
		if (!found &&
		    (rc = sr_plan_push(&rules, &(struct sr_op){ .kind = SR_RULE_ADD, .rule = *w,
								.entry = b.rule_entry[i] })) < 0) {
			sr_plan_free(&rules);
			goto nomem;
		}
	}
	for (size_t k = 0; k < st->nrules; k++)
		stays[k] = rule_kept[k] || !prune || strcmp(st->owner[k], scope);

	/* 2. Each wanted table's routes, before any rule points at them. */
	for (size_t i = 0; i < b.ntables && !rc; i++) {
		long other = other_user(st, stays, rule_kept, b.tables[i].family, b.tables[i].table);
		if ((rc = plan_table_route(&b, &b.tables[i], other, prune, route_kept)) == 0)
			rc = plan_table_closure(&b, &b.tables[i], other, route_kept);
	}
	/* 3. Then the new rules. */
	for (size_t i = 0; i < rules.n && !rc; i++)
		if (sr_plan_push(plan, &rules.ops[i]) < 0)
			rc = v6_err_set(err, -ENOMEM, "out of memory");
	sr_plan_free(&rules);
	if (rc < 0)
		goto out;
	/* 4. Stale rules of this owner, then our routes no rule uses. */
	for (size_t k = 0; prune && k < st->nrules; k++)
		if (!stays[k] &&
		    (rc = sr_plan_push(plan, &(struct sr_op){ .kind = SR_RULE_DEL,
							   .rule = st->rules[k] })) < 0)
			goto nomem;
	for (size_t k = 0; prune && k < st->nroutes; k++) {
		const struct v6_route *r = &st->routes[k];
		bool used = false;
		if (route_kept[k])
			continue;
		for (size_t i = 0; i < b.ntables && !used; i++)
			used = b.tables[i].family == r->family && b.tables[i].table == r->table;
		for (size_t j = 0; j < st->nrules && !used; j++)
			used = stays[j] && st->rules[j].family == r->family &&
			       st->rules[j].table == r->table;
		if (used)
			continue;
		if ((rc = sr_plan_push(plan, &(struct sr_op){ .kind = SR_ROUTE_DEL,
							   .route = *r })) < 0)
			goto nomem;
	}
	rc = 0;
	goto out;
nomem:
	rc = v6_err_set(err, -ENOMEM, "out of memory");
out:
	free(route_kept);
	free(rule_kept);
	free(stays);
	free(by_src);
	free(b.want_rules);
	free(b.rule_entry);
	free(b.tables);
	free(b.devs);
	if (b.ioctl_fd >= 0)
		close(b.ioctl_fd);
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
		 const struct sr_state *st, const char *owner, struct v6_err *err)
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
	/* Callers hold sr_lock(), the lock registering takes. */
	for (size_t i = 0; i < plan->nnew && ret == 0; i++)
		ret = v6_rtnames_register_held(v6_iproute2_dir(), SR_TABLES_FILE,
					       plan->newtables[i].name, plan->newtables[i].id, err);
	if (ret == 0 && st)
		ret = sr_owners_update((struct sr_owners *)&st->owners, plan, owner, err);
	if (ret < 0) {
		int *all = calloc(plan->n + 1, sizeof(int));
		if (all)
			rollback(nl, plan, all);
		free(all);
		return ret;
	}
	return 0;
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
