/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tun6in4's parameter grammar, shared word for word by the command line
 * (`up NAME KEY VALUE...`) and tun6in4.conf(5) (one "KEY VALUE" a line).
 * Pure functions: no kernel, no globals, so unit tests and fuzzers call
 * them directly. */
#include "tun6in4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void t64_conf_defaults(struct t64_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mtu = T64_DEFAULT_MTU;
	c->ttl = T64_DEFAULT_TTL;
	c->mode = T64_MODE_AUTO;
	/* SixXS banned clients that connected more than 4 times a minute. */
	c->max_starts = 4;
	c->max_starts_secs = 60;
}

const char *t64_mode_name(enum t64_mode m)
{
	switch (m) {
	case T64_MODE_KERNEL: return "kernel";
	case T64_MODE_USER: return "user";
	default: return "auto";
	}
}

/* A tunnel endpoint must be one host: not unspecified, multicast or the
 * limited broadcast address. */
static int parse_v4_host(const char *val, const char *what, struct in_addr *out,
			 struct v6_err *err)
{
	struct v6_addr a;
	uint32_t h;
	int rc = v6_parse_addr(val, V6_PARSE_V4, &a, what, err);

	if (rc < 0)
		return rc;
	h = ntohl(a.v4.s_addr);
	if (h == 0 || IN_MULTICAST(h) || h == 0xffffffffu)
		return v6_err_set(err, -EINVAL, "%s must be a unicast IPv4 address: '%s'", what,
				  val);
	*out = a.v4;
	return 0;
}

static int parse_max_starts(struct t64_conf *c, const char *val, struct v6_err *err)
{
	const char *slash = strchr(val, '/');
	char n[16];
	size_t l = slash ? (size_t)(slash - val) : 0;

	if (!slash || l == 0 || l >= sizeof(n))
		goto bad;
	memcpy(n, val, l);
	n[l] = '\0';
	if (v6_parse_u32(n, 1, 1000, &c->max_starts, "max-starts", NULL) < 0 ||
	    v6_parse_u32(slash + 1, 1, 86400, &c->max_starts_secs, "max-starts", NULL) < 0)
		goto bad;
	return 0;
bad:
	return v6_err_set(err, -EINVAL,
			  "max-starts must be N/SECS with N 1-1000 and SECS 1-86400: '%s'", val);
}

static int parse_table(struct t64_conf *c, const char *val, struct v6_err *err)
{
	/* lib's one rule, srcroute's too; without `table` the route goes
	 * into main, so `table main` has nothing to add. */
	if (v6_table_check(val, err) < 0)
		return -EINVAL;
	snprintf(c->table, sizeof(c->table), "%s", val);
	return 0;
}

/* The address health checks ping from the tunnel's own address; a host on
 * the far side, so a reply proves the tunnel carries traffic both ways. */
static int parse_check(struct t64_conf *c, const char *val, struct v6_err *err)
{
	struct v6_addr a;

	if (v6_parse_addr(val, V6_PARSE_V6, &a, "check", err) < 0)
		return -EINVAL;
	if (v6_addr_is_unspec(&a) || a.v6.s6_addr[0] == 0xff)
		return v6_err_set(err, -EINVAL, "check must be a unicast IPv6 address: '%s'", val);
	c->check = a.v6;
	c->has_check = true;
	return 0;
}

/* The broker endpoint update's keys (v6kit-update-endpoint(8)) are checked
 * here so a typo fails at `up`, but they never describe the link: `up`
 * does not compare them with a running tunnel. */
static int parse_update_key(const char *key, const char *val, struct v6_err *err)
{
	size_t l = strlen(val);

	if (!strcmp(key, "update-url")) {
		if ((strncmp(val, "https://", 8) && strncmp(val, "http://", 7)) || l > 512 ||
		    strpbrk(val, "\"'"))
			return v6_err_set(err, -EINVAL,
					  "update-url must be an http:// or https:// URL: '%s'", val);
		return 0;
	}
	if (!strcmp(key, "update-tunnel") || !strcmp(key, "update-user")) {
		/* A tunnel id is a number at HE; a user name is a login.  Neither
		 * may carry characters that would need quoting in a URL or in
		 * curl's config syntax. */
		if (l == 0 || l > 64 || strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					      "0123456789._@+-") != l)
			return v6_err_set(err, -EINVAL,
					  "%s must be 1-64 of A-Z a-z 0-9 . _ @ + -: '%s'", key, val);
		return 0;
	}
	if (!strcmp(key, "update-key") || !strcmp(key, "update-ip-command")) {
		if (val[0] != '/' || l > 1024 || strpbrk(val, "\"'"))
			return v6_err_set(err, -EINVAL, "%s must be an absolute path: '%s'", key,
					  val);
		return 0;
	}
	return v6_err_set(err, -EINVAL,
			  "unknown key '%s' (expected update-url, update-tunnel, update-user, "
			  "update-key or update-ip-command)", key);
}

int t64_conf_set(struct t64_conf *c, const char *key, const char *val, bool from_file,
		 struct v6_err *err)
{
	if (!val)
		return v6_err_set(err, -EINVAL, "'%s' needs a value", key);
	if (!strcmp(key, "remote")) {
		c->has_remote = true;
		return parse_v4_host(val, "remote", &c->remote, err);
	}
	if (!strcmp(key, "local")) {
		if (!strcmp(val, "any")) {
			c->local.s_addr = INADDR_ANY;
			return 0;
		}
		return parse_v4_host(val, "local", &c->local, err);
	}
	if (!strcmp(key, "address")) {
		struct v6_prefix p;
		if (v6_parse_prefix(val, V6_PARSE_V6 | V6_PARSE_HOSTBITS, &p, "address", err) < 0)
			return -EINVAL;
		if (v6_addr_is_unspec(&p.addr) || p.addr.v6.s6_addr[0] == 0xff)
			return v6_err_set(err, -EINVAL,
					  "address must be a unicast IPv6 address/LEN: '%s'", val);
		for (unsigned i = 0; i < c->naddr; i++)
			if (v6_addr_equal(&c->addr[i].addr, &p.addr))
				return v6_err_set(err, -EINVAL, "address given twice: '%s'", val);
		if (c->naddr == T64_MAX_ADDRS)
			return v6_err_set(err, -EINVAL, "more than %d addresses: '%s'",
					  T64_MAX_ADDRS, val);
		c->addr[c->naddr++] = p;
		return 0;
	}
	if (!strcmp(key, "gateway")) {
		struct v6_addr a;
		if (v6_parse_addr(val, V6_PARSE_V6, &a, "gateway", err) < 0)
			return -EINVAL;
		if (v6_addr_is_unspec(&a) || a.v6.s6_addr[0] == 0xff)
			return v6_err_set(err, -EINVAL, "gateway must be a unicast IPv6 address: '%s'",
					  val);
		c->gateway = a.v6;
		c->has_gateway = true;
		return 0;
	}
	if (!strcmp(key, "mtu"))
		return v6_parse_u32(val, T64_MTU_MIN, T64_MTU_MAX, &c->mtu, "mtu", err);
	if (!strcmp(key, "ttl"))
		return v6_parse_u32(val, 0, 255, &c->ttl, "ttl", err);
	if (!strcmp(key, "dev")) {
		if (v6_parse_ifname(val, "dev", err) < 0)
			return -EINVAL;
		snprintf(c->dev, sizeof(c->dev), "%s", val);
		return 0;
	}
	if (!strcmp(key, "default-route")) {
		if (strcmp(val, "yes") && strcmp(val, "no"))
			return v6_err_set(err, -EINVAL, "default-route must be yes or no: '%s'", val);
		c->default_route = !strcmp(val, "yes");
		return 0;
	}
	if (!strcmp(key, "table"))
		return parse_table(c, val, err);
	if (!strcmp(key, "mode")) {
		if (!strcmp(val, "auto"))
			c->mode = T64_MODE_AUTO;
		else if (!strcmp(val, "kernel"))
			c->mode = T64_MODE_KERNEL;
		else if (!strcmp(val, "user"))
			c->mode = T64_MODE_USER;
		else
			return v6_err_set(err, -EINVAL, "mode must be auto, kernel or user: '%s'", val);
		return 0;
	}
	if (!strcmp(key, "max-starts"))
		return parse_max_starts(c, val, err);
	if (from_file && !strncmp(key, "update-", 7))
		return parse_update_key(key, val, err);
	if (from_file && !strcmp(key, "name")) {
		if (v6_parse_ifname(val, "name", err) < 0)
			return -EINVAL;
		snprintf(c->name, sizeof(c->name), "%s", val);
		return 0;
	}
	if (from_file && !strcmp(key, "check"))
		return parse_check(c, val, err);
	if (from_file && !strcmp(key, "keepalive"))
		return v6_parse_u32(val, 0, 3600, &c->keepalive, "keepalive", err);
	return v6_err_set(err, -EINVAL,
			  "unknown key '%s' (expected remote, local, address, gateway, mtu, ttl, "
			  "dev, default-route, table, mode or max-starts)", key);
}

int t64_conf_parse(struct t64_conf *c, const char *text, size_t len, const char *source,
		   struct v6_err *err)
{
	struct v6_lines it;
	char *line;
	int rc;

	c->source = source;
	v6_lines_init(&it, text, len, source);
	while ((rc = v6_lines_next(&it, &line, err)) > 0) {
		char *words[3];
		struct v6_err e;
		int n = v6_line_split(line, words, 2);

		if (n > 2)
			return v6_err_set(err, -EINVAL, "%s:%u: one value per key: '%s'", source,
					  it.lineno, words[2]);
		if (t64_conf_set(c, words[0], n > 1 ? words[1] : NULL, true, &e) < 0)
			return v6_err_set(err, -EINVAL, "%s:%u: %s", source, it.lineno, e.msg);
	}
	return rc;
}

int t64_conf_load(struct t64_conf *c, const char *path, struct v6_err *err)
{
	char *buf;
	size_t n;
	int rc = v6_file_read(path, &buf, &n, err);

	/* A file that cannot be read is bad input (exit 1); only running out
	 * of memory is the host's failure. */
	if (rc < 0)
		return rc == -ENOMEM ? rc : v6_err_input(err, rc);
	rc = t64_conf_parse(c, buf, n, path, err);
	free(buf);
	return rc;
}

int t64_conf_load_named(struct t64_conf *c, const char *path, const char *name,
			struct v6_err *err)
{
	char base[256];
	struct v6_err e;
	int rc;

	t64_conf_defaults(c);
	if ((rc = t64_conf_load(c, path, err)) < 0)
		return rc;
	if (name && c->name[0] && strcmp(c->name, name))
		return v6_err_set(err, -EINVAL, "%s: name '%s' does not match the tunnel %s", path,
				  c->name, name);
	if (!name && !c->name[0]) {
		/* -f FILE without a name key: FILE's base name, less ".conf". */
		const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		size_t l = strlen(b);

		if (l > 5 && !strcmp(b + l - 5, ".conf"))
			l -= 5;
		snprintf(base, sizeof(base), "%.*s", (int)l, b);
		if (v6_parse_ifname(base, "tunnel name", &e) < 0)
			return v6_err_set(err, -EINVAL, "%s: %s", path, e.msg);
		name = base;
	}
	if (name)
		snprintf(c->name, sizeof(c->name), "%s", name);
	return 0;
}

int t64_conf_check(const struct t64_conf *c, struct v6_err *err)
{
	if (!c->name[0])
		return v6_err_set(err, -EINVAL, "missing tunnel name");
	if (!c->has_remote)
		return v6_err_set(err, -EINVAL, "%s: missing 'remote V4'", c->name);
	if (c->local.s_addr == c->remote.s_addr)
		return v6_err_set(err, -EINVAL, "%s: local and remote are the same address", c->name);
	if (!strcmp(c->dev, c->name))
		return v6_err_set(err, -EINVAL, "%s: dev must not be the tunnel itself", c->name);
	if ((c->default_route || c->table[0]) && !c->has_gateway && c->naddr == 0)
		return v6_err_set(err, -EINVAL,
				  "%s: a default route needs an address or a gateway", c->name);
	return 0;
}

void t64_conf_canon(const struct t64_conf *c, char *buf, size_t len)
{
	char l[INET_ADDRSTRLEN], r[INET_ADDRSTRLEN], a[V6_ADDRSTRLEN], g[INET6_ADDRSTRLEN];
	size_t off;

	inet_ntop(AF_INET, &c->local, l, sizeof(l));
	inet_ntop(AF_INET, &c->remote, r, sizeof(r));
	off = (size_t)snprintf(buf, len, "name %s\nremote %s\nlocal %s\nmtu %u\nttl %u\n", c->name,
			       r, c->local.s_addr ? l : "any", c->mtu, c->ttl);
	for (unsigned i = 0; i < c->naddr && off < len; i++) {
		struct v6_prefix p = c->addr[i];
		char tmp[V6_ADDRSTRLEN];
		snprintf(a, sizeof(a), "%s/%u", v6_addr_str(&p.addr, tmp, sizeof(tmp)), p.len);
		off += (size_t)snprintf(buf + off, len - off, "address %s\n", a);
	}
	if (c->has_gateway && off < len)
		off += (size_t)snprintf(buf + off, len - off, "gateway %s\n",
					inet_ntop(AF_INET6, &c->gateway, g, sizeof(g)));
	if (c->dev[0] && off < len)
		off += (size_t)snprintf(buf + off, len - off, "dev %s\n", c->dev);
	if (c->table[0] && off < len)
		off += (size_t)snprintf(buf + off, len - off, "table %s\n", c->table);
	if (off < len)
		snprintf(buf + off, len - off, "default-route %s\n", c->default_route ? "yes" : "no");
}
