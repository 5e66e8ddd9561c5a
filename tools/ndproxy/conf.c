/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy.conf(5): ndppd's grammar read unchanged, plus our extensions.
 *
 *   KEY [=] [VALUE] [{ STATEMENTS }]
 *
 * with #, // and C comments, quoted values, and statements separated by
 * white space (ndppd does not need newlines between them).  A value sits
 * on its keyword's line, but a block's '{' may follow on a later one, so
 * every brace style reads the same.  The text is first read into a small
 * tree, then the tree is checked key by key, so every error names
 * SOURCE:LINE and the bad token.  Pure: no kernel, no globals, for the
 * unit tests and the fuzzer. */
#define _GNU_SOURCE
#include "ndproxy.h"
#include "v6sys.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 4
#define MAX_TOKEN 256

struct node {
	char key[64];
	char val[MAX_TOKEN];
	unsigned line;
	bool block;
	struct node *kids;
	size_t nkids;
};

struct lexer {
	const char *p, *end, *source;
	unsigned line;
	struct v6_err *err;
};

static int lex_err(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lex_err(struct lexer *lx, const char *fmt, ...)
{
	char msg[400], shown[sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ndp_vis(shown, sizeof(shown), msg);
	return v6_err_set(lx->err, -EINVAL, "%s:%u: %s", lx->source, lx->line, shown);
}

void ndp_vis(char *dst, size_t dstlen, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		if (c >= 0x20 && c < 0x7f) {
			if (n + 1 >= dstlen)
				break;
			dst[n++] = (char)c;
		} else {
			if (n + 4 >= dstlen)
				break;
			dst[n++] = '\\';
			dst[n++] = 'x';
			dst[n++] = hex[c >> 4];
			dst[n++] = hex[c & 15];
		}
	}
	dst[n] = '\0';
}

/* Skip blanks (and newlines when asked) and comments, as ndppd does. */
static int skip(struct lexer *lx, bool newlines)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == '\n' && newlines) {
			lx->line++;
			lx->p++;
		} else if (c != '\n' && isspace((unsigned char)c)) {
			lx->p++;
		} else if (c == '#' || (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
			unsigned start = lx->line;
			lx->p += 2;
			for (;;) {
				if (lx->p + 1 >= lx->end) {
					lx->line = start;
					return lex_err(lx, "unterminated comment");
				}
				if (lx->p[0] == '*' && lx->p[1] == '/')
					break;
				if (*lx->p == '\n')
					lx->line++;
				lx->p++;
			}
			lx->p += 2;
		} else if (c == '\0') {
			return lex_err(lx, "NUL byte in file");
		} else {
			break;
		}
	}
	return 0;
}

/* The rule methods that never take a value. */
static bool is_flag(const char *key)
{
	return !strcmp(key, "static") || !strcmp(key, "auto");
}

/* 1 when the statement just read opens a block: its '{' may be on the
 * same line or, after blank lines and comments, on a later one (the brace
 * style of the file does not matter).  Otherwise the lexer stays at the
 * end of the statement's line, and 0. */
static int block_follows(struct lexer *lx)
{
	const char *p;
	unsigned line;
	int rc;

	if ((rc = skip(lx, false)) < 0)
		return rc;
	p = lx->p;
	line = lx->line;
	if ((rc = skip(lx, true)) < 0)
		return rc;
	if (lx->p < lx->end && *lx->p == '{')
		return 1;
	lx->p = p;
	lx->line = line;
	return 0;
}

static void free_nodes(struct node *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free_nodes(v[i].kids, v[i].nkids);
	free(v);
}

static int parse_block(struct lexer *lx, struct node **out, size_t *nout, int depth);

static int parse_statement(struct lexer *lx, struct node *nd, int depth)
{
	size_t n = 0;
	int rc;

	nd->line = lx->line;
	while (lx->p < lx->end && (isalnum((unsigned char)*lx->p) || *lx->p == '_' || *lx->p == '-')) {
		if (n + 1 >= sizeof(nd->key))
			return lex_err(lx, "keyword too long");
		nd->key[n++] = *lx->p++;
	}
	nd->key[n] = '\0';
	if (!n && *lx->p == '{')
		return lex_err(lx, "'{' without a keyword before it");
	if (!n)
		return lex_err(lx, "unexpected '%c'", *lx->p);
	if ((rc = skip(lx, false)) < 0)
		return rc;
	bool assigned = lx->p < lx->end && *lx->p == '=';
	if (assigned) {
		lx->p++;
		if ((rc = skip(lx, false)) < 0)
			return rc;
	}
	n = 0;
	if (!assigned && is_flag(nd->key)) {
		/* No value: the next word is the next statement, as in
		 * `rule PREFIX { auto autovia yes }`. */
	} else if (lx->p < lx->end && (*lx->p == '"' || *lx->p == '\'')) {
		char q = *lx->p++;
		while (lx->p < lx->end && *lx->p != q && *lx->p != '\n') {
			/* The value is a C string from here on: a NUL would cut it
			 * short without a word. */
			if (*lx->p == '\0')
				return lex_err(lx, "NUL byte in quoted value");
			if (n + 1 >= sizeof(nd->val))
				return lex_err(lx, "value too long");
			nd->val[n++] = *lx->p++;
		}
		if (lx->p >= lx->end || *lx->p != q)
			return lex_err(lx, "unterminated quoted value");
		lx->p++;
	} else {
		while (lx->p < lx->end && isgraph((unsigned char)*lx->p) && *lx->p != '{' &&
		       *lx->p != '}') {
			if (n + 1 >= sizeof(nd->val))
				return lex_err(lx, "value too long");
			nd->val[n++] = *lx->p++;
		}
	}
	nd->val[n] = '\0';
	if ((rc = block_follows(lx)) < 0)
		return rc;
	if (rc) {
		unsigned open = lx->line;
		if (depth >= MAX_DEPTH)
			return lex_err(lx, "blocks nested too deeply");
		lx->p++;
		nd->block = true;
		if ((rc = parse_block(lx, &nd->kids, &nd->nkids, depth + 1)) < 0)
			return rc;
		if (lx->p >= lx->end || *lx->p != '}') {
			lx->line = open;
			return lex_err(lx, "'{' without a matching '}'");
		}
		lx->p++;
	}
	return 0;
}

static int parse_block(struct lexer *lx, struct node **out, size_t *nout, int depth)
{
	struct node *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	for (;;) {
		if ((rc = skip(lx, true)) < 0)
			goto fail;
		if (lx->p >= lx->end || *lx->p == '}')
			break;
		if (v6_grow(&v, &cap, n + 1, sizeof(*v)) < 0) {
			rc = v6_err_set(lx->err, -ENOMEM, "out of memory");
			goto fail;
		}
		memset(&v[n], 0, sizeof(v[n]));
		rc = parse_statement(lx, &v[n], depth);
		n++;
		if (rc < 0)
			goto fail;
	}
	*out = v;
	*nout = n;
	return 0;
fail:
	free_nodes(v, n);
	return rc;
}

/* ---- checking the tree -------------------------------------------- */

struct checker {
	const char *source;
	struct v6_err *err;
	struct ndp_conf *conf;
};

static int node_err(struct checker *ck, const struct node *nd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int node_err(struct checker *ck, const struct node *nd, const char *fmt, ...)
{
	char msg[400], shown[sizeof(msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ndp_vis(shown, sizeof(shown), msg);
	return v6_err_set(ck->err, -EINVAL, "%s:%u: %s", ck->source, nd->line, shown);
}

static void warn(struct checker *ck, const struct node *nd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct checker *ck, const struct node *nd, const char *fmt, ...)
{
	struct ndp_conf *c = ck->conf;
	char msg[120], shown[sizeof(msg)];
	va_list ap;

	if (c->nwarn >= NDP_MAX_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ndp_vis(shown, sizeof(shown), msg);
	snprintf(c->warn[c->nwarn++], sizeof(c->warn[0]), "%s:%u: %s", ck->source, nd->line, shown);
}

static int want_value(struct checker *ck, const struct node *nd)
{
	if (!nd->val[0])
		return node_err(ck, nd, "'%s' needs a value", nd->key);
	if (nd->block)
		return node_err(ck, nd, "'%s' takes no block", nd->key);
	return 0;
}

static int want_plain(struct checker *ck, const struct node *nd)
{
	if (nd->val[0])
		return node_err(ck, nd, "'%s' takes no value: '%s'", nd->key, nd->val);
	if (nd->block)
		return node_err(ck, nd, "'%s' takes no block", nd->key);
	return 0;
}

static int get_bool(struct checker *ck, const struct node *nd, bool *out)
{
	static const char *yes[] = { "yes", "true", "on", "1" }, *no[] = { "no", "false", "off", "0" };
	int rc;

	if ((rc = want_value(ck, nd)) < 0)
		return rc;
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(nd->val, yes[i]))
			return *out = true, 0;
		if (!strcasecmp(nd->val, no[i]))
			return *out = false, 0;
	}
	return node_err(ck, nd, "'%s' must be yes or no: '%s'", nd->key, nd->val);
}

static int get_u32(struct checker *ck, const struct node *nd, uint32_t min, uint32_t max,
		   uint32_t *out)
{
	struct v6_err e;
	int rc;

	if ((rc = want_value(ck, nd)) < 0)
		return rc;
	if (v6_parse_u32(nd->val, min, max, out, nd->key, &e) < 0)
		return node_err(ck, nd, "%s", e.msg);
	return 0;
}

static int get_ifname(struct checker *ck, const struct node *nd, char out[16])
{
	struct v6_err e;
	int rc;

	if ((rc = want_value(ck, nd)) < 0)
		return rc;
	if (v6_parse_ifname(nd->val, "interface", &e) < 0)
		return node_err(ck, nd, "%s", e.msg);
	strcpy(out, nd->val);
	return 0;
}

/* Room for element n of an array holding n: capacities are powers of
 * two, so tens of thousands of rules cost no quadratic copying. */
static int grow(void *v, size_t n, size_t size, struct v6_err *err)
{
	if (n & (n - 1) || (n && n < 8))
		return 0;
	if (v6_resize(v, n ? 2 * n : 8, size) < 0)
		return v6_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static void proxy_defaults(struct ndp_proxy *p)
{
	/* ndppd's defaults, so a migrated file behaves the same; Override
	 * is off (RFC 4861 7.2.8: a proxy should not override). */
	p->router = true;
	p->keepalive = true;
	p->ttl_ms = 30000;
	p->deadtime_ms = 30000;
	p->timeout_ms = 500;
	p->retries = 3;
}

static int check_rule(struct checker *ck, const struct node *nd, struct ndp_rule *r)
{
	struct v6_err e;
	bool have_method = false;
	int rc;

	memset(r, 0, sizeof(*r));
	r->line = nd->line;
	if (!nd->val[0])
		return node_err(ck, nd, "'rule' needs a prefix");
	/* ndppd masks host bits silently; so do we, to read its files. */
	if (v6_parse_prefix(nd->val, V6_PARSE_V6 | V6_PARSE_HOSTBITS, &r->prefix, "rule", &e) < 0)
		return node_err(ck, nd, "%s", e.msg);
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = r->prefix.len > i * 8 ? r->prefix.len - i * 8 : 0;
		if (bits < 8)
			r->prefix.addr.bytes[i] &= (uint8_t)(0xff00u >> bits);
	}
	for (size_t i = 0; i < nd->nkids; i++) {
		const struct node *k = &nd->kids[i];
		bool method = !strcmp(k->key, "static") || !strcmp(k->key, "auto") ||
			      !strcmp(k->key, "iface");
		if (method && have_method)
			return node_err(ck, k, "only one of static, iface and auto per rule: '%s'",
					k->key);
		if (!strcmp(k->key, "static")) {
			if ((rc = want_plain(ck, k)) < 0)
				return rc;
			r->method = NDP_STATIC;
		} else if (!strcmp(k->key, "auto")) {
			if ((rc = want_plain(ck, k)) < 0)
				return rc;
			r->method = NDP_AUTO;
		} else if (!strcmp(k->key, "iface")) {
			if ((rc = get_ifname(ck, k, r->iface)) < 0)
				return rc;
			r->method = NDP_IFACE;
		} else if (!strcmp(k->key, "autovia")) {
			if ((rc = get_bool(ck, k, &r->autovia)) < 0)
				return rc;
		} else {
			return node_err(ck, k, "unknown rule option '%s'", k->key);
		}
		have_method |= method;
	}
	if (!have_method)
		/* ndppd 0.2.2 and later do the same, for 0.2.1's files. */
		warn(ck, nd, "rule %s has no method, taken as static", nd->val);
	return 0;
}

static int check_proxy(struct checker *ck, const struct node *nd, struct ndp_proxy *p)
{
	bool have_deadtime = false;
	int rc;

	proxy_defaults(p);
	p->line = nd->line;
	if (!nd->val[0])
		return node_err(ck, nd, "'proxy' needs an interface");
	{
		struct v6_err e;
		if (v6_parse_ifname(nd->val, "interface", &e) < 0)
			return node_err(ck, nd, "%s", e.msg);
		strcpy(p->iface, nd->val);
	}
	for (size_t i = 0; i < nd->nkids; i++) {
		const struct node *k = &nd->kids[i];
		const char *key = k->key;

		if (!strcmp(key, "rule")) {
			if (p->nrules >= NDP_MAX_RULES)
				return node_err(ck, k, "proxy %s: more than %u rules", p->iface,
						(unsigned)NDP_MAX_RULES);
			if ((rc = grow(&p->rules, p->nrules, sizeof(*p->rules), ck->err)) < 0)
				return rc;
			if ((rc = check_rule(ck, k, &p->rules[p->nrules])) < 0)
				return rc;
			p->nrules++;
			continue;
		}
		if (!strcmp(key, "router"))
			rc = get_bool(ck, k, &p->router);
		else if (!strcmp(key, "override"))
			rc = get_bool(ck, k, &p->override);
		else if (!strcmp(key, "promiscuous"))
			rc = get_bool(ck, k, &p->promisc);
		else if (!strcmp(key, "autowire"))
			rc = get_bool(ck, k, &p->autowire);
		else if (!strcmp(key, "keepalive"))
			rc = get_bool(ck, k, &p->keepalive);
		else if (!strcmp(key, "ttl"))
			rc = get_u32(ck, k, 1000, 86400000, &p->ttl_ms);
		else if (!strcmp(key, "deadtime"))
			rc = get_u32(ck, k, 0, 86400000, &p->deadtime_ms), have_deadtime = true;
		else if (!strcmp(key, "timeout"))
			rc = get_u32(ck, k, 10, 60000, &p->timeout_ms);
		else if (!strcmp(key, "retries"))
			rc = get_u32(ck, k, 0, 100, &p->retries);
		else if (!strcmp(key, "na-source")) {
			if ((rc = want_value(ck, k)) == 0) {
				if (!strcmp(k->val, "link-local"))
					p->na_src_target = false;
				else if (!strcmp(k->val, "target"))
					p->na_src_target = true;
				else
					rc = node_err(ck, k, "na-source must be link-local or target: '%s'",
						      k->val);
			}
		} else
			rc = node_err(ck, k, "unknown proxy option '%s'", key);
		if (rc < 0)
			return rc;
	}
	if (!have_deadtime)
		p->deadtime_ms = p->ttl_ms; /* as ndppd */
	if (!p->nrules)
		return node_err(ck, nd, "proxy %s has no rule", p->iface);
	return 0;
}

static int check_top(struct checker *ck, const struct node *v, size_t n)
{
	struct ndp_conf *c = ck->conf;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct node *nd = &v[i];
		uint32_t ignored;

		if (!strcmp(nd->key, "proxy")) {
			struct ndp_proxy *np;
			if (!nd->block)
				return node_err(ck, nd, "'proxy %s' needs a { } block", nd->val);
			if (c->nproxies >= NDP_MAX_PROXIES)
				return node_err(ck, nd, "more than %u proxies", (unsigned)NDP_MAX_PROXIES);
			if ((rc = grow(&c->proxies, c->nproxies, sizeof(*c->proxies), ck->err)) < 0)
				return rc;
			np = c->proxies;
			memset(&np[c->nproxies], 0, sizeof(*np));
			c->nproxies++;
			if ((rc = check_proxy(ck, nd, &np[c->nproxies - 1])) < 0)
				return rc;
			for (size_t j = 0; j + 1 < c->nproxies; j++)
				if (!strcmp(c->proxies[j].iface, nd->val))
					return node_err(ck, nd, "proxy %s defined twice", nd->val);
		} else if (!strcmp(nd->key, "route-ttl") || !strcmp(nd->key, "address-ttl")) {
			/* ndppd re-reads /proc every so often; we follow netlink
			 * live, so these are checked and have no effect. */
			if ((rc = get_u32(ck, nd, 0, UINT32_MAX, &ignored)) < 0)
				return rc;
		} else if (!strcmp(nd->key, "cache-size")) {
			if ((rc = get_u32(ck, nd, 16, 16777216, &c->cache_max)) < 0)
				return rc;
		} else if (!strcmp(nd->key, "probe-rate")) {
			if ((rc = get_u32(ck, nd, 1, 1000000, &c->probe_rate)) < 0)
				return rc;
		} else if (!strcmp(nd->key, "user")) {
			if ((rc = want_value(ck, nd)) < 0)
				return rc;
			if (strlen(nd->val) >= sizeof(c->user))
				return node_err(ck, nd, "user name too long: '%s'", nd->val);
			strcpy(c->user, nd->val);
		} else {
			return node_err(ck, nd, "unknown option '%s'", nd->key);
		}
	}
	if (!c->nproxies)
		return v6_err_set(ck->err, -EINVAL, "%s: no proxy section", ck->source);
	for (size_t i = 0; i < c->nproxies; i++)
		for (size_t j = 0; j < c->proxies[i].nrules; j++) {
			const struct ndp_rule *r = &c->proxies[i].rules[j];
			if (r->method == NDP_IFACE && !strcmp(r->iface, c->proxies[i].iface))
				return v6_err_set(ck->err, -EINVAL,
						  "%s:%u: rule interface is the proxy's own: '%s'",
						  ck->source, r->line, r->iface);
		}
	return 0;
}

static void conf_defaults(struct ndp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->cache_max = 65536;
	c->probe_rate = 1000;
	strcpy(c->user, NDP_DEFAULT_USER);
}

int ndp_conf_parse(const char *text, size_t len, const char *source, struct ndp_conf *conf,
		   struct v6_err *err)
{
	struct lexer lx = { .p = text, .end = text + len, .source = source, .line = 1, .err = err };
	struct checker ck = { .source = source, .err = err, .conf = conf };
	struct node *top = NULL;
	size_t ntop = 0;
	int rc;

	conf_defaults(conf);
	if ((rc = parse_block(&lx, &top, &ntop, 0)) < 0)
		return rc;
	if (lx.p < lx.end) /* parse_block stopped at a '}' */
		rc = lex_err(&lx, "'}' without a matching '{'");
	else
		rc = check_top(&ck, top, ntop);
	free_nodes(top, ntop);
	if (rc < 0)
		ndp_conf_free(conf);
	return rc;
}

int ndp_conf_load(const char *path, struct ndp_conf *conf, struct v6_err *err)
{
	char *buf;
	size_t len;
	int rc;

	conf_defaults(conf);
	/* A file that cannot be read is bad input (exit 1), as in every
	 * v6kit tool; only running out of memory is the host's failure. */
	if ((rc = v6_file_read(path, &buf, &len, err)) < 0)
		return rc == -ENOMEM ? rc : v6_err_input(err, rc);
	rc = ndp_conf_parse(buf, len, path, conf, err);
	free(buf);
	return rc;
}

int ndp_conf_cmdline(const char *upstream, char **prefixes, size_t nprefixes,
		     enum ndp_method method, const char *downstream, struct ndp_conf *conf,
		     struct v6_err *err)
{
	struct ndp_proxy *p;
	int rc;

	conf_defaults(conf);
	if ((rc = v6_parse_ifname(upstream, "upstream interface", err)) < 0)
		return rc;
	if (method == NDP_IFACE && (rc = v6_parse_ifname(downstream, "downstream interface", err)) < 0)
		return rc;
	if (method == NDP_IFACE && !strcmp(upstream, downstream))
		return v6_err_set(err, -EINVAL, "downstream is the upstream interface: '%s'",
				  downstream);
	if (!nprefixes)
		return v6_err_set(err, -EINVAL, "no prefix given (-r PREFIX)");
	if (nprefixes > NDP_MAX_RULES)
		return v6_err_set(err, -EINVAL, "more than %u prefixes", (unsigned)NDP_MAX_RULES);
	if (!(conf->proxies = p = calloc(1, sizeof(*p))) ||
	    !(p->rules = calloc(nprefixes, sizeof(*p->rules)))) {
		ndp_conf_free(conf);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	conf->nproxies = 1;
	proxy_defaults(p);
	strcpy(p->iface, upstream);
	for (size_t i = 0; i < nprefixes; i++) {
		struct ndp_rule *r = &p->rules[i];
		if ((rc = v6_parse_prefix(prefixes[i], V6_PARSE_V6, &r->prefix, "prefix", err)) < 0) {
			ndp_conf_free(conf);
			return rc;
		}
		r->method = method;
		if (method == NDP_IFACE)
			strcpy(r->iface, downstream);
		p->nrules++;
	}
	return 0;
}

void ndp_conf_free(struct ndp_conf *conf)
{
	for (size_t i = 0; i < conf->nproxies; i++)
		free(conf->proxies[i].rules);
	free(conf->proxies);
	conf->proxies = NULL;
	conf->nproxies = 0;
}

static bool prefix_holds(const struct v6_prefix *p, const struct in6_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr.bytes, a->s6_addr, full))
		return false;
	return !rest || !((p->addr.bytes[full] ^ a->s6_addr[full]) & (uint8_t)(0xff00u >> rest));
}

const struct ndp_rule *ndp_rule_match(const struct ndp_proxy *p, const struct in6_addr *target)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (prefix_holds(&p->rules[i].prefix, target))
			return &p->rules[i];
	return NULL;
}

const char *ndp_method_name(enum ndp_method m)
{
	return m == NDP_STATIC ? "static" : m == NDP_IFACE ? "iface" : "auto";
}
