/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The apply stamp: an unchanged re-apply (from cron, a health check, a
 * reload) should cost next to nothing.  After a run leaves the kernel
 * matching a file, srcroute writes down fingerprints of everything the
 * plan depends on:
 *
 *   - the file's bytes, the owner and the address family;
 *   - the table-name files (path, inode, size, modification time);
 *   - what the kernel holds: srcroute's rules with their owners, its
 *     routes, and tun6in4's default routes (which may serve an entry);
 *   - the index of every device the file names.
 *
 * The next run compares them with what it reads (the kernel's dumps it
 * needs anyway, filtered by protocol where the kernel can) and, when all
 * match, knows the plan is empty without parsing, validating or planning.
 * Any difference, or no stamp, means a full run.  The stamp lives beside
 * the owner records in $V6KIT_RUNDIR/srcroute/netns-COOKIE/. */
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
 * the state before it and the plan, without reading the kernel again. */
static uint64_t hash_rule_item(const struct v6_rule *r, const char *owner)
{
	uint64_t h = fnv(FNV0, "rule", 4);
	h = fnv(h, &r->family, sizeof(r->family));
	h = fnv(h, &r->prio, sizeof(r->prio));
	h = fnv(h, &r->table, sizeof(r->table));
	h = fnv(h, r->src.addr.bytes, sizeof(r->src.addr.bytes));
	h = fnv(h, &r->src.len, sizeof(r->src.len));
	return fnv(h, owner, strlen(owner) + 1);
}

static uint64_t hash_route_item(const struct v6_route *r)
{
	struct v6_route k = *r;

	/* As read_family() keeps them: a reject route has no device. */
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

/* tun6in4's routes matter to a plan only for a table of our rules that has
 * no unicast default route of ours (one of tun6in4's may serve it); when
 * our state is the stamped one, so is this answer. */
static bool tun6in4_matters(const struct sr_state *st)
{
	for (size_t i = 0; i < st->nrules; i++) {
		bool served = false;
		for (size_t k = 0; k < st->nroutes && !served; k++)
			served = st->routes[k].family == st->rules[i].family &&
				 st->routes[k].table == st->rules[i].table &&
				 st->routes[k].type == RTN_UNICAST;
		if (!served)
			return true;
	}
	return false;
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
	uint64_t h = fnv(FNV0, text, len);
	h = fnv(h, owner, strlen(owner) + 1);
	return fnv(h, &family, sizeof(family));
}

bool sr_stamp_fresh(struct v6_nl *nl, const char *text, size_t len, const char *owner,
		    int family)
{
	char path[4200], line[128], dev[IF_NAMESIZE + 1];
	unsigned long long want_in, want_names, want_ours, want_tun;
	uint64_t tun;
	struct v6_err ignored;
	struct sr_state st = { 0 };
	bool fresh = false;
	int fd = -1;
	FILE *f;

	if (stamp_path(owner, family, path, sizeof(path)) < 0 || !(f = fopen(path, "re")))
		return false;
	/* Cheapest first: the file and the names, then the kernel. */
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, "v2 %llx %llx %llx %llx", &want_in, &want_names, &want_ours,
		   &want_tun) != 4 ||
	    want_in != hash_input(text, len, owner, family) || want_names != hash_names() ||
	    sr_state_read(nl, family, &st, &ignored) < 0 || sr_stamp_state(&st) != want_ours ||
	    (tun6in4_matters(&st) &&
	     (hash_tun6in4(nl, family, &tun, &ignored) < 0 || tun != want_tun)))
		goto out;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fresh = fd >= 0;
	while (fresh && fgets(line, sizeof(line), f)) {
		struct ifreq ifr = { 0 };
		int index;
		if (sscanf(line, "dev %16s %d", dev, &index) != 2 || strlen(dev) >= IF_NAMESIZE) {
			fresh = false;
			break;
		}
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
		fresh = ioctl(fd, SIOCGIFINDEX, &ifr) == 0 && ifr.ifr_ifindex == index;
	}
	if (fd >= 0)
		close(fd);
out:
	sr_state_free(&st);
	fclose(f);
	return fresh;
}

void sr_stamp_write(struct v6_nl *nl, const char *text, size_t len, const char *owner,
		    int family, const struct sr_conf *conf, uint64_t ours)
{
	struct v6_err ignored;
	char path[4200], tmp[4300];
	uint64_t tun;
	FILE *f;
	int fd = -1;

	if (hash_tun6in4(nl, family, &tun, &ignored) < 0 ||
	    stamp_path(owner, family, path, sizeof(path)) < 0 || sr_owners_mkdir(&ignored) < 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (!(f = fopen(tmp, "we")))
		return;
	fprintf(f, "v2 %llx %llx %llx %llx\n",
		(unsigned long long)hash_input(text, len, owner, family),
		(unsigned long long)hash_names(), (unsigned long long)ours,
		(unsigned long long)tun);
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

