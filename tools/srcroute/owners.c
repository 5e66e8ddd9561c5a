/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Owner scopes.  A policy rule carries no more than a protocol number, so
 * srcroute records who asked for each rule in a file beside the kernel's
 * state: $V6KIT_RUNDIR/srcroute/netns-COOKIE/owners, one line per rule
 *
 *     FAMILY SOURCE/LEN PRIO TABLE OWNER
 *
 * for every owner but "file" (the common case costs no line and no write).
 * The directory is keyed by the network namespace's cookie, which is never
 * reused.  /run is a tmpfs: a reboot empties it and the kernel's rules
 * together, so the file never outlives the rules it describes.  Every
 * change happens under sr_lock(), and the file is replaced by rename. */
#define _GNU_SOURCE
#include "srcroute.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int netns_sock = -1;

void sr_run_dir_socket(int fd)
{
	netns_sock = fd;
}

/* $V6KIT_RUNDIR/srcroute[/netns-COOKIE], made on the way when make. */
static int state_dir(char *buf, size_t len, bool per_netns, bool make, struct v6_err *err)
{
	int rc;

	if (!per_netns)
		snprintf(buf, len, "%s/srcroute", v6_rundir());
	else {
		/* A process enters its namespace before it asks: ask once. */
		static char key[64];
		if (!key[0] && (rc = v6_netns_key(netns_sock, key, sizeof(key), err)) < 0)
			return rc;
		snprintf(buf, len, "%s/srcroute/%s", v6_rundir(), key);
	}
	return make ? v6_mkdirs(buf, err) : 0;
}

int sr_lock(struct v6_err *err)
{
	char path[4200];
	int fd = v6_rtnames_lock(v6_iproute2_dir(), SR_TABLES_FILE, err);

	/* A read-only /etc still lets entries use tables that have names. */
	if (fd != -EROFS && fd != -EACCES && fd != -EPERM)
		return fd;
	if ((fd = state_dir(path, sizeof(path) - 8, false, true, err)) < 0)
		return fd;
	strcat(path, "/lock");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return v6_err_set(err, -e, "%s: %s", path, strerror(e));
		}
	return fd;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct sr_owner_rec *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->src.addr.bytes, y->src.addr.bytes, 16)))
		return c;
	if (x->src.len != y->src.len)
		return x->src.len < y->src.len ? -1 : 1;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->table < y->table ? -1 : x->table > y->table;
}

int sr_owners_parse(struct sr_owners *o, const char *text, size_t len, struct v6_err *err)
{
	const char *end = text + len;
	size_t cap = 0;
	unsigned lineno = 0;

	for (const char *p = text; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((eol ? eol : end) - p);
		char line[256], fam[8], src[V6_ADDRSTRLEN], owner[64];
		struct sr_owner_rec r = { 0 };
		struct v6_err ignored;

		lineno++;
		if (l >= sizeof(line))
			return v6_err_set(err, -EINVAL, "%s:%u: line too long", o->path, lineno);
		memcpy(line, p, l);
		line[l] = '\0';
		p = eol ? eol + 1 : end;
		if (!l || line[0] == '#')
			continue;
		if (sscanf(line, "%7s %63s %u %u %63s", fam, src, &r.prio, &r.table, owner) != 5 ||
		    v6_parse_prefix(src, strcmp(fam, "inet") ? V6_PARSE_V6 : V6_PARSE_V4, &r.src,
				    "source", &ignored) < 0 ||
		    sr_parse_owner(owner, false, &ignored) < 0 ||
		    (strcmp(fam, "inet") && strcmp(fam, "inet6")))
			return v6_err_set(err, -EINVAL, "%s:%u: not an owner record: '%s'", o->path,
					  lineno, line);
		r.family = r.src.addr.family;
		strcpy(r.owner, owner);
		if (V6_APPEND(o->v, o->n, cap, r) < 0)
			return v6_err_set(err, -ENOMEM, "out of memory");
	}
	if (o->n > 1)
		qsort(o->v, o->n, sizeof(*o->v), cmp_rec);
	return 0;
}

int sr_run_path(const char *name, char *buf, size_t len, struct v6_err *err)
{
	char dir[4096];
	int rc = state_dir(dir, sizeof(dir), true, false, err);

	if (rc == 0)
		snprintf(buf, len, "%.4000s/%s", dir, name);
	return rc;
}

int sr_owners_mkdir(struct v6_err *err)
{
	char dir[4096];
	return state_dir(dir, sizeof(dir), true, true, err);
}

int sr_owners_load(struct sr_owners *o, struct v6_err *err)
{
	char dir[4096], *buf;
	size_t len;
	int rc;

	memset(o, 0, sizeof(*o));
	/* Reading makes nothing: the directory appears with the first record. */
	if ((rc = state_dir(dir, sizeof(dir), true, false, err)) < 0)
		return rc;
	snprintf(o->path, sizeof(o->path), "%.4000s/owners", dir);
	rc = v6_file_read(o->path, &buf, &len, err);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = sr_owners_parse(o, buf, len, err);
	free(buf);
	return rc;
}

static struct sr_owner_rec key_of(const struct v6_rule *r)
{
	struct sr_owner_rec k = { .family = r->family, .src = r->src, .prio = r->prio,
				  .table = r->table };
	return k;
}

const char *sr_owners_lookup(const struct sr_owners *o, const struct v6_rule *r)
{
	if (!o->n) /* the common case: every rule is the file's */
		return SR_OWNER_FILE;
	struct sr_owner_rec k = key_of(r);
	const struct sr_owner_rec *hit =
		o->n ? bsearch(&k, o->v, o->n, sizeof(*o->v), cmp_rec) : NULL;

	return hit ? hit->owner : SR_OWNER_FILE;
}

void sr_owners_free(struct sr_owners *o)
{
	free(o->v);
	o->v = NULL;
	o->n = 0;
}

/* The records after a run: the old ones minus the rules it deleted, plus
 * the rules it added under owner.  Written only when they changed. */
int sr_owners_update(struct sr_owners *o, const struct sr_plan *plan, const char *owner,
		     struct v6_err *err)
{
	struct sr_owner_rec *v = malloc((o->n + plan->n + 1) * sizeof(*v));
	size_t n = 0;
	bool changed = false;
	char tmp[4200], a[V6_ADDRSTRLEN];

	if (!v)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < o->n; i++) {
		bool gone = false;
		for (size_t k = 0; k < plan->n && !gone; k++) {
			const struct sr_op *op = &plan->ops[k];
			struct sr_owner_rec key = key_of(&op->rule);
			gone = (op->kind == SR_RULE_DEL || op->kind == SR_RULE_ADD) &&
			       !cmp_rec(&key, &o->v[i]);
		}
		if (gone)
			changed = true;
		else
			v[n++] = o->v[i];
	}
	for (size_t k = 0; k < plan->n; k++) {
		if (plan->ops[k].kind != SR_RULE_ADD || !strcmp(owner, SR_OWNER_FILE))
			continue;
		v[n] = key_of(&plan->ops[k].rule);
		snprintf(v[n++].owner, sizeof(v->owner), "%s", owner);
		changed = true;
	}
	if (!changed) {
		free(v);
		return 0;
	}
	char dir[4096];
	int rc = state_dir(dir, sizeof(dir), true, true, err);
	if (rc < 0) {
		free(v);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", o->path, (long)getpid());
	FILE *f = fopen(tmp, "we");
	if (!f) {
		int e = errno;
		free(v);
		return v6_err_set(err, -e, "%s: %s", tmp, strerror(e));
	}
	fputs("# srcroute: owner of each rule not from srcroute.conf; do not edit\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s %s %u %u %s\n", v[i].family == AF_INET ? "inet" : "inet6",
			v6_prefix_str(&v[i].src, a, sizeof(a)), v[i].prio, v[i].table, v[i].owner);
	free(v);
	if (fflush(f) || ferror(f)) {
		int e = errno ? errno : EIO;
		fclose(f);
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", tmp, strerror(e));
	}
	fclose(f);
	if (rename(tmp, o->path) < 0) {
		int e = errno;
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", o->path, strerror(e));
	}
	return 0;
}
