/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
/* srcroute's entry grammar, shared by `add` and srcroute.conf(5):
 *   FROM dev IFACE [via GW] [table NAME|ID] [prio N] [fallthrough] [owner NAME]
 * Pure functions: no kernel, no globals, so tests and fuzzers call them. */
#include "srcroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint32_t sr_entry_prio(const struct sr_entry *e)
{
	return e->has_prio ? e->prio
			   : SR_PRIO_BASE + v6_family_bits(e->from.addr.family) - e->from.len;
}

const char *sr_entry_table(const struct sr_entry *e)
{
	return e->table[0] ? e->table : e->dev;
}

const char *sr_where(const struct sr_conf *conf, const struct sr_entry *e, char *buf,
		     size_t len)
{
	if (conf && conf->source && e && e->line)
		snprintf(buf, len, "%s:%u: ", conf->source, e->line);
	else
		buf[0] = '\0';
	return buf;
}

int sr_parse_owner(const char *s, bool allow_all, struct v6_err *err)
{
	if (!v6_name_ok(s, SR_OWNER_MAX))
		return v6_err_set(err, -EINVAL, "owner must be 1-%d of " V6_NAME_CHARS ": '%s'",
				  SR_OWNER_MAX, s);
	if (!allow_all && !strcmp(s, SR_OWNER_ALL))
		return v6_err_set(err, -EINVAL, "owner 'all' is reserved for flush and show");
	return 0;
}

int sr_parse_entry(char **w, int n, struct sr_entry *e, struct v6_err *err)
{
	bool seen_dev = false, seen_via = false, seen_table = false;
	unsigned line = e->line;
	int rc;

	memset(e, 0, sizeof(*e));
	e->line = line;
	if (n < 1)
		return v6_err_set(err, -EINVAL, "missing 'FROM'");
	if ((rc = v6_parse_prefix(w[0], V6_PARSE_ANY, &e->from, "source", err)) < 0)
		return rc;
	for (int i = 1; i < n; i += 2) {
		const char *key = w[i], *val = i + 1 < n ? w[i + 1] : NULL;

		if (!strcmp(key, "fallthrough")) {
			if (e->fallthrough)
				return v6_err_set(err, -EINVAL, "'fallthrough' given twice");
			e->fallthrough = true;
			i--; /* a flag: no value */
			continue;
		}
		if (strcmp(key, "dev") && strcmp(key, "via") && strcmp(key, "table") &&
		    strcmp(key, "prio") && strcmp(key, "owner"))
			return v6_err_set(err, -EINVAL,
					  "unknown word '%s' (expected dev, via, table, prio, fallthrough or owner)",
					  key);
		if (!val)
			return v6_err_set(err, -EINVAL, "'%s' needs a value", key);
		if (!strcmp(key, "owner")) {
			if (e->owner[0])
				return v6_err_set(err, -EINVAL, "'owner' given twice: '%s'", val);
			if ((rc = sr_parse_owner(val, false, err)) < 0)
				return rc;
			strcpy(e->owner, val);
		} else if (!strcmp(key, "dev")) {
			if (seen_dev)
				return v6_err_set(err, -EINVAL, "'dev' given twice: '%s'", val);
			if ((rc = v6_parse_ifname(val, "dev", err)) < 0)
				return rc;
			strcpy(e->dev, val);
			seen_dev = true;
		} else if (!strcmp(key, "via")) {
			if (seen_via)
				return v6_err_set(err, -EINVAL, "'via' given twice: '%s'", val);
			int fam = e->from.addr.family == AF_INET ? V6_PARSE_V4 : V6_PARSE_V6;
			if (v6_parse_addr(val, V6_PARSE_ANY, &e->via, "gateway", err) < 0)
				return -EINVAL;
			if (v6_parse_addr(val, fam, &e->via, "gateway", NULL) < 0)
				return v6_err_set(err, -EINVAL,
						  "gateway must be %s address like the source: '%s'",
						  fam == V6_PARSE_V4 ? "an IPv4" : "an IPv6", val);
			if (v6_addr_is_unspec(&e->via))
				return v6_err_set(err, -EINVAL, "gateway must not be unspecified: '%s'",
						  val);
			e->has_via = seen_via = true;
		} else if (!strcmp(key, "table")) {
			if (seen_table)
				return v6_err_set(err, -EINVAL, "'table' given twice: '%s'", val);
			/* lib's one rule: never a system table. */
			if ((rc = v6_table_check(val, err)) < 0)
				return rc;
			snprintf(e->table, sizeof(e->table), "%s", val);
			seen_table = true;
		} else {
			if (e->has_prio)
				return v6_err_set(err, -EINVAL, "'prio' given twice: '%s'", val);
			if ((rc = v6_parse_u32(val, 1, SR_PRIO_MAX, &e->prio, "prio", err)) < 0)
				return rc;
			e->has_prio = true;
		}
	}
	if (!seen_dev)
		return v6_err_set(err, -EINVAL, "missing 'dev IFACE' for source '%s'", w[0]);
	return 0;
}

static int conf_push(struct sr_conf *conf, const struct sr_entry *e, size_t *cap)
{
	return v6_append(&conf->v, &conf->n, cap, e, sizeof(*e));
}

int sr_conf_parse(const char *text, size_t len, const char *source, struct sr_conf *conf,
		  struct v6_err *err)
{
	enum { MAXWORDS = 16 };
	struct v6_lines it;
	size_t cap = 0;
	char *line;
	int rc;

	memset(conf, 0, sizeof(*conf));
	conf->source = source;
	v6_lines_init(&it, text, len, source);
	while ((rc = v6_lines_next(&it, &line, err)) > 0) {
		char *words[MAXWORDS + 1];
		int n = v6_line_split(line, words, MAXWORDS);
		struct sr_entry e = { .line = it.lineno };

		if (n > MAXWORDS)
			return v6_err_set(err, -EINVAL, "%s:%u: too many words: '%s'", source,
					  it.lineno, words[MAXWORDS]);
		if (sr_parse_entry(words, n, &e, err) < 0)
			return v6_err_prefix(err, -EINVAL, "%s:%u", source, it.lineno);
		/* A file's entries share one owner, chosen by the verb. */
		if (e.owner[0])
			return v6_err_set(err, -EINVAL,
					  "%s:%u: 'owner' belongs on the command line, not in a file: '%s'",
					  source, it.lineno, e.owner);
		if (conf_push(conf, &e, &cap) < 0)
			return v6_err_set(err, -ENOMEM, "out of memory");
	}
	if (rc < 0)
		return rc;
	return sr_conf_validate(conf, err);
}

static int cmp_by_source(const void *a, const void *b, void *arg)
{
	const struct sr_entry *v = arg, *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
	int c = x->from.addr.family - y->from.addr.family;

	if (!c)
		c = memcmp(x->from.addr.bytes, y->from.addr.bytes, 16);
	if (!c)
		c = (int)x->from.len - (int)y->from.len;
	return c ? c : (int)x->line - (int)y->line;
}

static int cmp_by_table(const void *a, const void *b, void *arg)
{
	const struct sr_entry *v = arg, *x = &v[*(const size_t *)a], *y = &v[*(const size_t *)b];
	int c = x->from.addr.family - y->from.addr.family;

	if (!c)
		c = strcmp(sr_entry_table(x), sr_entry_table(y));
	return c ? c : (int)x->line - (int)y->line;
}

static bool same_uplink(const struct sr_entry *a, const struct sr_entry *b)
{
	return !strcmp(a->dev, b->dev) && a->has_via == b->has_via &&
	       (!a->has_via || v6_addr_equal(&a->via, &b->via));
}

/* A table is either closed or open for all its entries: its one
 * unreachable default serves them all. */
static bool same_closure(const struct sr_entry *a, const struct sr_entry *b)
{
	return a->fallthrough == b->fallthrough;
}

/* Sorting keeps this n log n for files of thousands of lines; of several
 * faults the one on the earliest line is reported. */
int sr_conf_validate(const struct sr_conf *conf, struct v6_err *err)
{
	size_t *idx = malloc((conf->n + 1) * sizeof(*idx));
	const struct sr_entry *bad = NULL, *first = NULL;
	bool dup = false, closure = false;
	char w[4200], a[V6_ADDRSTRLEN];

	if (!idx)
		return v6_err_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < conf->n; i++)
		idx[i] = i;
	if (conf->n > 1)
		qsort_r(idx, conf->n, sizeof(*idx), cmp_by_source, conf->v);
	for (size_t i = 1; i < conf->n; i++) {
		const struct sr_entry *e = &conf->v[idx[i]], *p = &conf->v[idx[i - 1]];
		if (v6_prefix_equal(&e->from, &p->from) && (!bad || e->line < bad->line)) {
			/* p is the earliest line of this source: sorted by line last */
			const struct sr_entry *o = p;
			for (size_t k = i - 1; k > 0 && v6_prefix_equal(&conf->v[idx[k - 1]].from, &e->from); k--)
				o = &conf->v[idx[k - 1]];
			bad = e;
			first = o;
			dup = true;
		}
	}
	if (conf->n > 1)
		qsort_r(idx, conf->n, sizeof(*idx), cmp_by_table, conf->v);
	for (size_t i = 0, g = 0; i < conf->n; i++) {
		const struct sr_entry *e = &conf->v[idx[i]], *head = &conf->v[idx[g]];
		if (e->from.addr.family != head->from.addr.family ||
		    strcmp(sr_entry_table(e), sr_entry_table(head))) {
			g = i;
			continue;
		}
		if (!same_uplink(e, head) && (!bad || e->line < bad->line)) {
			bad = e;
			first = head;
			dup = closure = false;
		} else if (!same_closure(e, head) && (!bad || e->line < bad->line)) {
			bad = e;
			first = head;
			dup = false;
			closure = true;
		}
	}
	free(idx);
	if (!bad)
		return 0;
	if (dup)
		return v6_err_set(err, -EINVAL, "%ssource '%s' already given at line %u",
				  sr_where(conf, bad, w, sizeof(w)),
				  v6_prefix_str(&bad->from, a, sizeof(a)), first->line);
	if (closure)
		return v6_err_set(err, -EINVAL,
				  "%stable '%s' is %s at line %u; give both entries the same 'fallthrough' or separate tables",
				  sr_where(conf, bad, w, sizeof(w)), sr_entry_table(bad),
				  first->fallthrough ? "open (fallthrough)" : "closed (no fallthrough)",
				  first->line);
	return v6_err_set(err, -EINVAL,
			  "%stable '%s' already routes through another device or gateway at line %u; give this entry a table of its own",
			  sr_where(conf, bad, w, sizeof(w)), sr_entry_table(bad), first->line);
}

int sr_conf_read(const char *path, char **text, size_t *len, struct v6_err *err)
{
	int rc = v6_file_read(path, text, len, err);

	/* Whatever keeps the file from being read is bad input (exit 1);
	 * only running out of memory is the host's failure. */
	return rc < 0 && rc != -ENOMEM ? v6_err_input(err, rc) : rc;
}

int sr_conf_load(const char *path, struct sr_conf *conf, struct v6_err *err)
{
	char *buf;
	size_t len;
	int rc = sr_conf_read(path, &buf, &len, err);

	if (rc < 0)
		return rc;
	rc = sr_conf_parse(buf, len, path, conf, err);
	free(buf);
	return rc;
}

void sr_conf_free(struct sr_conf *conf)
{
	free(conf->v);
	conf->v = NULL;
	conf->n = 0;
}
