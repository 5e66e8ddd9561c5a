/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The apply stamp: an unchanged re-apply (from cron, a health check, a
 * reload) should cost little more than starting the program.  After a run
 * leaves the kernel matching a file, srcroute writes down fingerprints of
 * everything the plan depends on:
 *
 *   - the file's bytes, the owner and the address family;
 *   - the table-name files (path, inode, size, modification time), when
 *     the file names a table by name or by device;
 *   - every policy rule as the kernel dumps it, and the owner records;
 *   - srcroute's routes, and tun6in4's default routes where one may serve
 *     an entry;
 *   - the index of every device the file names.
 *
 * The next run compares them with what it reads and, when all match, knows
 * the plan is empty without keeping the file in memory, parsing or
 * planning.  The kernel is read every time, every rule included, so a rule
 * or route deleted or changed behind srcroute's back is always seen.  Any
 * difference, or no stamp, means a full run.  The run that writes a stamp
 * reads the kernel back and writes it only if the kernel holds exactly
 * what its plan made.  The stamp lives beside the owner records in
 * $V6KIT_RUNDIR/srcroute/netns-COOKIE/. */
#define _GNU_SOURCE
#include "srcroute.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/socket.h>

/* A change detector, not a defence against anyone: eight bytes a step,
 * each mixed by a multiply and a shift (the file alone is ~55 bytes a
 * source, so byte-wise FNV was a visible part of a re-apply). */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w;

	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}
#define FNV0 0xcbf29ce484222325ULL

/* The same for long inputs (the file: ~55 bytes a source), four words a
 * step in independent lanes, which a CPU runs side by side; fed in pieces
 * of a multiple of 32 bytes, then the tail. */
struct lanes {
	uint64_t l[4];
};

static void lanes_init(struct lanes *s, uint64_t h)
{
	*s = (struct lanes){ { h, h ^ 1, h ^ 2, h ^ 3 } };
}

static void lanes_feed(struct lanes *s, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w[4];

	for (; n >= 32; n -= 32, b += 32) {
		memcpy(w, b, 32);
		for (int i = 0; i < 4; i++) {
			s->l[i] = (s->l[i] ^ w[i]) * 0x9e3779b97f4a7c15ULL;
			s->l[i] ^= s->l[i] >> 29;
		}
	}
}

static uint64_t lanes_end(const struct lanes *s, uint64_t h, const void *tail, size_t n)
{
	for (int i = 0; i < 4; i++)
		h = fnv(h, &s->l[i], sizeof(s->l[i]));
	return fnv(h, tail, n);
}

static uint64_t hash_long(uint64_t h, const void *p, size_t n)
{
	struct lanes s;

	lanes_init(&s, h);
	lanes_feed(&s, p, n & ~(size_t)31);
	return lanes_end(&s, h, (const char *)p + (n & ~(size_t)31), n & 31);
}

static uint64_t hash_stat(uint64_t h, const char *path)
{
	struct stat st;

	h = fnv(h, path, strlen(path) + 1);
	if (stat(path, &st) == 0) {
		h = fnv(h, &st.st_ino, sizeof(st.st_ino));
		h = fnv(h, &st.st_size, sizeof(st.st_size));
		h = fnv(h, &st.st_mtim, sizeof(st.st_mtim));
	}
	return h;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What v6_rtnames_load() would read, by inode, size and time. */
static uint64_t hash_names(void)
{
	const char *dir = v6_iproute2_dir();
	char path[4200], *names[256];
	size_t n = 0;
	uint64_t h = FNV0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/rt_tables", dir);
	h = hash_stat(h, path);
	snprintf(path, sizeof(path), "%s/rt_tables.d", dir);
	h = hash_stat(h, path);
	if ((d = opendir(path))) {
		struct dirent *de;
		while ((de = readdir(d)) && n < 256) {
			size_t l = strlen(de->d_name);
			if (l > 5 && !strcmp(de->d_name + l - 5, ".conf") && de->d_name[0] != '.' &&
			    (names[n] = strdup(de->d_name)))
				n++;
		}
		closedir(d);
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/rt_tables.d/%s", dir, names[i]);
		h = hash_stat(h, path);
		free(names[i]);
	}
	return h;
}

static uint64_t hash_route(uint64_t h, const struct v6_route *r)
{
	h = fnv(h, &r->family, sizeof(r->family));
	h = fnv(h, r->dst.addr.bytes, sizeof(r->dst.addr.bytes));
	h = fnv(h, &r->dst.len, sizeof(r->dst.len));
	h = fnv(h, &r->table, sizeof(r->table));
	h = fnv(h, &r->protocol, sizeof(r->protocol));
	h = fnv(h, &r->metric, sizeof(r->metric));
	h = fnv(h, &r->ifindex, sizeof(r->ifindex));
	h = fnv(h, &r->has_gw, sizeof(r->has_gw));
	h = fnv(h, r->gw.bytes, sizeof(r->gw.bytes));
	return fnv(h, &r->type, sizeof(r->type));
}

/* What srcroute holds in the kernel, as a sum of one hash per rule and
 * route: independent of dump order, and so computable after a run from
 * the state before it and the plan, without reading the kernel again.
 * Each item is packed first, so that it costs one pass of the hash. */
static uint64_t hash_rule_item(const struct v6_rule *r, const char *owner)
{
	struct {
		char tag[4];
		int32_t family;
		uint32_t prio, table;
		uint8_t src[16], len, pad[7];
	} k;

	memset(&k, 0, sizeof(k));
	memcpy(k.tag, "rule", 4);
	k.family = r->family;
	k.prio = r->prio;
	k.table = r->table;
	memcpy(k.src, r->src.addr.bytes, 16);
	k.len = r->src.len;
	/* Nearly every rule has the same owner: hash its name once. */
	static const char *last;
	static uint64_t last_h;
	if (owner != last) {
		last_h = fnv(FNV0, owner, strlen(owner) + 1);
		last = owner;
	}
	uint64_t h = (fnv(FNV0, &k, sizeof(k)) ^ last_h) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t hash_route_item(const struct v6_route *r)
{
	struct v6_route k = *r;

	/* As the state reader keeps them: a reject route has no device. */
	if (k.type && k.type != RTN_UNICAST)
		k.ifindex = 0;
	if (!k.type)
		k.type = RTN_UNICAST;
	k.protocol = V6_PROTO_SRCROUTE;
	return hash_route(fnv(FNV0, "route", 5), &k);
}

uint64_t sr_stamp_state(const struct sr_state *st)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < st->nrules; i++)
		sum += hash_rule_item(&st->rules[i], st->owner[i]);
	for (size_t i = 0; i < st->nroutes; i++)
		sum += hash_route_item(&st->routes[i]);
	return sum;
}

uint64_t sr_stamp_after(const struct sr_state *st, const struct sr_plan *plan, const char *owner)
{
	uint64_t sum = sr_stamp_state(st);

	for (size_t i = 0; i < plan->n; i++) {
		const struct sr_op *op = &plan->ops[i];
		switch (op->kind) {
		case SR_ROUTE_ADD: sum += hash_route_item(&op->route); break;
		case SR_ROUTE_DEL: sum -= hash_route_item(&op->route); break;
		case SR_ROUTE_REPLACE:
			sum += hash_route_item(&op->route) - hash_route_item(&op->old_route);
			break;
		case SR_RULE_ADD: sum += hash_rule_item(&op->rule, owner); break;
		case SR_RULE_DEL:
			sum -= hash_rule_item(&op->rule, sr_owners_lookup(&st->owners, &op->rule));
			break;
		}
	}
	return sum;
}

/* tun6in4's default routes, read now. */
static int hash_tun6in4(struct v6_nl *nl, int family, uint64_t *out, struct v6_err *err)
{
	uint64_t h = FNV0;
	struct v6_route *v = NULL;
	int n = v6_route_list_filtered(nl, family, 0, V6_PROTO_TUN6IN4, &v, err);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		if (!v[i].dst.len)
			h = hash_route(h, &v[i]);
	free(v);
	*out = h;
	return 0;
}

/* The kernel's side, read as the dumps stream by.  A fresh check only
 * sums a hash of each rule message's bytes (the kernel writes an
 * unchanged rule the same way every time); the run that writes the stamp
 * also parses them, to be sure the kernel holds what its plan made (and
 * not, say, a rule another program deleted in between) and to find which
 * tables of its rules tun6in4's routes may serve. */
struct table_key {
	int family;
	uint32_t table;
	bool served; /* has a unicast default route of srcroute's */
};

struct walk {
	int family;  /* AF_UNSPEC: both */
	bool parse;  /* also parse: rules, tables */
	const struct sr_owners *owners;
	uint64_t raw, sum;
	struct table_key *tables;
	size_t ntables, cap;
	size_t hint[64]; /* 1 + index in tables, by the table id's low bits */
	int rc;
};

static struct table_key *table_of(struct walk *w, int family, uint32_t table, bool add)
{
	size_t *hint = &w->hint[(table ^ (uint32_t)family) & 63];

	if (*hint && w->tables[*hint - 1].table == table && w->tables[*hint - 1].family == family)
		return &w->tables[*hint - 1];
	for (size_t i = 0; i < w->ntables; i++)
		if (w->tables[i].table == table && w->tables[i].family == family) {
			*hint = i + 1;
			return &w->tables[i];
		}
	if (!add)
		return NULL;
	struct table_key k = { .family = family, .table = table };
	if (V6_APPEND(w->tables, w->ntables, w->cap, k) < 0) {
		w->rc = -ENOMEM;
		return NULL;
	}
	*hint = w->ntables;
	return &w->tables[w->ntables - 1];
}

/* A rule message's bytes: each word times its own odd constant (the
 * multiplies run side by side; a changed word always changes the sum),
 * then one nonlinear step, so that messages summed do not cancel. */
static uint64_t hash_msg(const void *p, size_t n)
{
	static const uint64_t k[4] = { 0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
				       0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL };
	const unsigned char *b = p;
	uint64_t h = n, w;
	size_t i = 0;

	for (; n >= 8; n -= 8, b += 8, i++) {
		memcpy(&w, b, 8);
		h += (w + i) * k[i & 3];
	}
	w = 0;
	memcpy(&w, b, n);
	h += (w + i) * k[i & 3];
	h = (h ^ (h >> 31)) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

/* One RTM_NEWRULE of the dump; parsed as lib/rule.c reads it. */
static int walk_rule(struct nlmsghdr *h, void *arg)
{
	struct walk *w = arg;
	const struct fib_rule_hdr *frh = NLMSG_DATA(h);
	struct v6_rule r = { 0 };
	uint8_t proto = 0;
	size_t alen;

	if (h->nlmsg_type != RTM_NEWRULE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*frh)))
		return 0;
	/* Every rule counts, ours or not: cheaper than telling them apart. */
	w->raw += hash_msg(frh, h->nlmsg_len - NLMSG_HDRLEN);
	if (!w->parse || (frh->family != AF_INET && frh->family != AF_INET6) ||
	    (w->family != AF_UNSPEC && frh->family != w->family))
		return 0;
	alen = frh->family == AF_INET ? 4 : 16;
	r.family = frh->family;
	r.table = frh->table;
	r.src.addr.family = frh->family;
	r.src.len = frh->src_len;
	int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*frh));
	for (const struct rtattr *a = (const void *)((const char *)frh + NLMSG_ALIGN(sizeof(*frh)));
	     RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		size_t n = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case FRA_PROTOCOL:
			if (n >= 1)
				proto = *(const uint8_t *)RTA_DATA(a);
			break;
		case FRA_PRIORITY:
			if (n >= 4)
				memcpy(&r.prio, RTA_DATA(a), 4);
			break;
		case FRA_TABLE:
			if (n >= 4)
				memcpy(&r.table, RTA_DATA(a), 4);
			break;
		case FRA_SRC:
			if (n == alen)
				memcpy(r.src.addr.bytes, RTA_DATA(a), alen);
			break;
		}
	}
	if (proto != V6_PROTO_SRCROUTE)
		return 0;
	w->sum += hash_rule_item(&r, sr_owners_lookup(w->owners, &r));
	table_of(w, r.family, r.table, true);
	return w->rc;
}

struct kernel_print {
	uint64_t rules;  /* every rule's bytes, and the owner records' */
	uint64_t routes; /* srcroute's routes */
	uint64_t ours;   /* parse only: as sr_stamp_state() sums srcroute's objects */
	bool tun6in4_matters; /* parse only: a table of ours has no default of ours */
};

static int read_kernel(struct v6_nl *nl, int family, bool parse, struct kernel_print *kp)
{
	struct fib_rule_hdr frh = { .family = (unsigned char)family };
	struct sr_owners owners = { 0 };
	struct walk w = { .family = family, .parse = parse, .owners = &owners };
	struct v6_route *routes = NULL;
	struct v6_err ignored;
	char path[4200], *text = NULL;
	size_t len = 0;
	int n, rc;

	/* The owner records by their bytes (mostly: there are none). */
	if ((rc = sr_run_path("owners", path, sizeof(path), &ignored)) < 0)
		return rc;
	rc = v6_file_read(path, &text, &len, &ignored);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	w.raw = hash_long(FNV0, text ? text : "", len);
	free(text);
	if ((parse && (rc = sr_owners_load(&owners, &ignored)) < 0) ||
	    (rc = v6_nl_dump(nl, RTM_GETRULE, &frh, sizeof(frh), walk_rule, &w, &ignored)) < 0 ||
	    (rc = n = v6_route_list_filtered(nl, family, 0, V6_PROTO_SRCROUTE, &routes,
					     &ignored)) < 0)
		goto out;
	kp->routes = 0;
	for (int i = 0; i < n; i++) {
		if (routes[i].dst.len)
			continue; /* as the state reader: default routes only */
		kp->routes += hash_route_item(&routes[i]);
		struct table_key *t = table_of(&w, routes[i].family, routes[i].table, false);
		if (t && routes[i].type == RTN_UNICAST)
			t->served = true;
	}
	kp->rules = w.raw;
	kp->ours = w.sum + kp->routes;
	kp->tun6in4_matters = false;
	for (size_t i = 0; i < w.ntables; i++)
		kp->tun6in4_matters |= !w.tables[i].served;
	rc = 0;
out:
	free(routes);
	free(w.tables);
	sr_owners_free(&owners);
	return rc;
}

static int stamp_path(const char *owner, int family, char *buf, size_t len)
{
	char name[64];
	struct v6_err ignored;

	snprintf(name, sizeof(name), "applied.%s.%d", owner,
		 family == AF_INET ? 4 : family == AF_INET6 ? 6 : 0);
	return sr_run_path(name, buf, len, &ignored);
}

static uint64_t hash_input(const char *text, size_t len, const char *owner, int family)
{
	uint64_t h = hash_long(FNV0, text, len);
	h = fnv(h, owner, strlen(owner) + 1);
	return fnv(h, &family, sizeof(family));
}

/* hash_input() of the file at fd, read a piece at a time: this is all a
 * fresh run reads of it.  Anything odd means "not fresh", and the full
 * run that follows reports it. */
static bool hash_file(int fd, const char *owner, int family, uint64_t *out)
{
	uint64_t buf[2048];
	struct lanes s;
	size_t have = 0, total = 0;
	ssize_t r;

	lanes_init(&s, FNV0);
	for (;;) {
		r = read(fd, (char *)buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		have += (size_t)r;
		total += (size_t)r;
		if (total > V6_FILE_MAX)
			return false;
		if (r == 0 || have == sizeof(buf)) {
			size_t whole = have & ~(size_t)31;
			lanes_feed(&s, buf, whole);
			if (r == 0) {
				uint64_t h = lanes_end(&s, FNV0, (char *)buf + whole, have - whole);
				h = fnv(h, owner, strlen(owner) + 1);
				*out = fnv(h, &family, sizeof(family));
				return true;
			}
			have = 0;
		}
	}
}

bool sr_stamp_fresh(struct v6_nl *nl, int conf_fd, const char *owner, int family)
{
	char path[4200], dev[IF_NAMESIZE + 1], *text = NULL, *end;
	unsigned long long want[6];
	struct kernel_print kp;
	struct v6_err ignored;
	uint64_t in, tun;
	bool fresh = false;
	size_t len;

	if (stamp_path(owner, family, path, sizeof(path)) < 0 ||
	    v6_file_read(path, &text, &len, &ignored) < 0)
		return false;
	/* Cheapest first: the file and the names, then the kernel. */
	char *p = text;
	if (strncmp(p, "v4 ", 3))
		goto out;
	p += 3;
	for (int i = 0; i < 6; i++) {
		want[i] = strtoull(p, &end, 16);
		if (end == p || (*end != ' ' && *end != '\n'))
			goto out;
		p = end + 1;
	}
	if (!hash_file(conf_fd, owner, family, &in) || in != want[0] ||
	    (want[1] && (hash_names() | 1) != want[1]) ||
	    read_kernel(nl, family, false, &kp) < 0 || kp.rules != want[2] ||
	    kp.routes != want[3] ||
	    (want[5] && (hash_tun6in4(nl, family, &tun, &ignored) < 0 || tun != want[4])))
		goto out;
	/* The devices by index; SIOCGIFINDEX works on any socket, so on the
	 * netlink one already open. */
	int fd = nl_socket_get_fd(nl->sk);
	fresh = true;
	for (char *line = p; fresh && *line; line = end + 1) {
		struct ifreq ifr = { 0 };
		int index;
		if (!(end = strchr(line, '\n')) ||
		    sscanf(line, "dev %16s %d", dev, &index) != 2 || strlen(dev) >= IF_NAMESIZE) {
			fresh = false;
			break;
		}
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
		fresh = ioctl(fd, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == index;
	}
out:
	free(text);
	return fresh;
}

void sr_stamp_write(struct v6_nl *nl, const char *text, size_t len, const char *owner,
		    int family, const struct sr_conf *conf, uint64_t ours)
{
	struct v6_err ignored;
	struct kernel_print kp;
	char path[4200], tmp[4300];
	uint64_t tun;
	FILE *f;
	int fd = -1;

	/* Read back what the kernel holds now: the stamp is only as good as
	 * the proof that it is what this run left. */
	if (stamp_path(owner, family, path, sizeof(path)) < 0)
		return;
	if (read_kernel(nl, family, true, &kp) < 0 || kp.ours != ours ||
	    hash_tun6in4(nl, family, &tun, &ignored) < 0 || sr_owners_mkdir(&ignored) < 0) {
		unlink(path);
		return;
	}
	/* A table given by number means the same whatever rt_tables says
	 * (v6_rtnames_resolve() reads a leading digit as a number); only
	 * names, given or taken from a device, depend on those files. */
	bool names = false;
	for (size_t i = 0; i < conf->n && !names; i++)
		if (family == AF_UNSPEC || conf->v[i].from.addr.family == family)
			names = !(sr_entry_table(&conf->v[i])[0] >= '0' &&
				  sr_entry_table(&conf->v[i])[0] <= '9');
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "we")))
		return;
	fprintf(f, "v4 %llx %llx %llx %llx %llx %d\n",
		(unsigned long long)hash_input(text, len, owner, family),
		/* 0: the names do not matter; a hash, made odd, when they do */
		names ? (unsigned long long)hash_names() | 1 : 0ULL,
		(unsigned long long)kp.rules,
		(unsigned long long)kp.routes, (unsigned long long)tun, kp.tun6in4_matters);
	/* Each device once; a file names few devices, however many sources. */
	const char **seen = calloc(conf->n + 1, sizeof(*seen));
	size_t nseen = 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (size_t i = 0; i < conf->n && fd >= 0 && seen; i++) {
		struct ifreq ifr = { 0 };
		size_t k;
		if (family != AF_UNSPEC && conf->v[i].from.addr.family != family)
			continue;
		for (k = 0; k < nseen && strcmp(seen[k], conf->v[i].dev); k++)
			;
		if (k < nseen)
			continue;
		seen[nseen++] = conf->v[i].dev;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", conf->v[i].dev);
		if (ioctl(fd, SIOCGIFINDEX, &ifr) == 0)
			fprintf(f, "dev %s %d\n", conf->v[i].dev, ifr.ifr_ifindex);
	}
	if (fd < 0 || !seen)
		fputs("incomplete\n", f); /* never fresh */
	free(seen);
	if (fd >= 0)
		close(fd);
	if (fclose(f) != 0 || rename(tmp, path) < 0)
		unlink(tmp);
}

