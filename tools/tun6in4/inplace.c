/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `change` and `reload` may alter on a running tunnel without taking
 * it down, and the two small files that make such a change last:
 *
 *   in place, both modes:  local, address, gateway and default-route (the
 *                          last two only without `table`, whose default
 *                          route is shared with srcroute);
 *   in place, kernel mode: remote, ttl, mtu (one sit change request);
 *   restart only:          table, dev, mode; in user mode also remote, ttl
 *                          and mtu, which the running data plane holds.
 *
 * A moved `local` is kept in $V6KIT_STATEDIR/tun6in4/NAME.local (it must
 * survive a reboot: a DHCP lease does) together with the conf file's own
 * `local` at the time; `up` and `reload` use it for as long as the file's
 * `local` is unchanged, so an administrator's later edit wins, and unless
 * the file's address is this host's again while the moved one is not. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool has_prefix(const struct t64_conf *c, const struct v6_prefix *p)
{
	for (unsigned i = 0; i < c->naddr; i++)
		if (c->addr[i].len == p->len && v6_addr_equal(&c->addr[i].addr, &p->addr))
			return true;
	return false;
}

static bool same_addrs(const struct t64_conf *a, const struct t64_conf *b)
{
	if (a->naddr != b->naddr)
		return false;
	for (unsigned i = 0; i < a->naddr; i++)
		if (!has_prefix(b, &a->addr[i]))
			return false;
	return true;
}

unsigned t64_conf_diff(const struct t64_conf *cur, enum t64_mode mode,
		       const struct t64_conf *next)
{
	unsigned d = 0;

	if (cur->local.s_addr != next->local.s_addr)
		d |= T64_KEY_LOCAL;
	if (cur->remote.s_addr != next->remote.s_addr)
		d |= T64_KEY_REMOTE;
	if (cur->ttl != next->ttl)
		d |= T64_KEY_TTL;
	if (cur->mtu != next->mtu)
		d |= T64_KEY_MTU;
	if (!same_addrs(cur, next))
		d |= T64_KEY_ADDRESS;
	if (cur->has_gateway != next->has_gateway ||
	    (cur->has_gateway && memcmp(&cur->gateway, &next->gateway, sizeof(cur->gateway))))
		d |= T64_KEY_GATEWAY;
	if (cur->default_route != next->default_route)
		d |= T64_KEY_DEFAULT_ROUTE;
	if (strcmp(cur->table, next->table))
		d |= T64_KEY_TABLE;
	if (strcmp(cur->dev, next->dev))
		d |= T64_KEY_DEV;
	if (next->mode != T64_MODE_AUTO && next->mode != mode)
		d |= T64_KEY_MODE;
	return d;
}

unsigned t64_restart_keys(unsigned diff, enum t64_mode mode, const struct t64_conf *cur,
			  const struct t64_conf *next)
{
	unsigned need = T64_KEY_TABLE | T64_KEY_DEV | T64_KEY_MODE;

	/* The user-mode daemon holds its socket's peer, the TTL it writes
	 * into every header and the MTU it checks packets against. */
	if (mode == T64_MODE_USER)
		need |= T64_KEY_REMOTE | T64_KEY_TTL | T64_KEY_MTU;
	/* A table's default route may be srcroute's (the ownership rule
	 * of srcroute(8)); only a restart re-runs that negotiation. */
	if (cur->table[0] || next->table[0])
		need |= T64_KEY_GATEWAY | T64_KEY_DEFAULT_ROUTE;
	return diff & need;
}

void t64_key_names(unsigned keys, char *buf, size_t len)
{
	static const char *const names[] = { "local", "remote", "ttl", "mtu", "address",
					     "gateway", "default-route", "table", "dev", "mode" };
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]) && off < len; i++)
		if (keys & (1u << i))
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
						names[i]);
}

/* The main-table routes `up` makes for c: the far end on the link, and the
 * default route with default-route yes. */
static int routes(struct v6_nl *nl, int ifindex, const struct t64_conf *c, bool add,
		  struct v6_err *err)
{
	struct v6_route rt = { .family = AF_INET6, .protocol = V6_PROTO_TUN6IN4,
			       .ifindex = ifindex };
	int rc;

	rt.dst.addr.family = AF_INET6;
	if (c->has_gateway) {
		rt.dst.addr.v6 = c->gateway;
		rt.dst.len = 128;
		rc = add ? v6_route_add(nl, &rt, V6_NL_EXCL, err) : v6_route_del(nl, &rt, err);
		if (rc < 0 && (add || rc != -ESRCH))
			return rc;
	}
	if (!c->default_route)
		return 0;
	memset(&rt.dst, 0, sizeof(rt.dst));
	rt.dst.addr.family = AF_INET6;
	if (c->has_gateway) {
		rt.has_gw = true;
		rt.gw.family = AF_INET6;
		rt.gw.v6 = c->gateway;
	}
	rc = add ? v6_route_add(nl, &rt, V6_NL_EXCL, err) : v6_route_del(nl, &rt, err);
	return rc < 0 && (add || rc != -ESRCH) ? rc : 0;
}

/* Add what next has and cur lacks (or, with undo, remove it again). */
static int addrs_add(struct v6_nl *nl, int ifindex, const struct t64_conf *cur,
		     const struct t64_conf *next, bool undo, struct v6_err *err)
{
	for (unsigned i = 0; i < next->naddr; i++) {
		if (has_prefix(cur, &next->addr[i]))
			continue;
		int rc = undo ? v6_addr_del(nl, ifindex, &next->addr[i], err)
			      : v6_addr_add(nl, ifindex, &next->addr[i], 0, err);
		if (rc < 0 && !undo) {
			addrs_add(nl, ifindex, cur, next, true, NULL);
			return rc;
		}
	}
	return 0;
}

int t64_inplace_addrs_routes(struct v6_nl *nl, int ifindex, const struct t64_conf *cur,
			     const struct t64_conf *next, unsigned diff, struct v6_err *err)
{
	bool reroute = diff & (T64_KEY_GATEWAY | T64_KEY_DEFAULT_ROUTE);
	int rc;

	/* New addresses first, old ones last: the tunnel keeps an address
	 * throughout. */
	if ((diff & T64_KEY_ADDRESS) && (rc = addrs_add(nl, ifindex, cur, next, false, err)) < 0)
		return rc;
	if (reroute) {
		if ((rc = routes(nl, ifindex, cur, false, err)) < 0 ||
		    (rc = routes(nl, ifindex, next, true, err)) < 0) {
			routes(nl, ifindex, next, false, NULL);
			routes(nl, ifindex, cur, true, NULL);
			if (diff & T64_KEY_ADDRESS)
				addrs_add(nl, ifindex, cur, next, true, NULL);
			return rc;
		}
	}
	if (diff & T64_KEY_ADDRESS)
		addrs_add(nl, ifindex, next, cur, true, NULL);
	return 0;
}

int t64_source_record(const char *name, const char *file)
{
	char path[4200], abs[PATH_MAX], text[PATH_MAX + 2];

	if (t64_state_path(name, "source", path, sizeof(path), NULL) < 0)
		return -EIO;
	if (!file || !realpath(file, abs)) {
		unlink(path);
		return 0;
	}
	snprintf(text, sizeof(text), "%s\n", abs);
	FILE *f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

int t64_source_get(const char *name, char *buf, size_t len)
{
	char path[4200];
	FILE *f;

	if (t64_state_path(name, "source", path, sizeof(path), NULL) < 0 || !(f = fopen(path, "r")))
		return -ENOENT;
	bool ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok || buf[0] != '/')
		return -ENOENT;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int override_path(const char *name, char *buf, size_t len, bool create)
{
	const char *dir = v6_statedir();

	if (create) {
		int rc;
		snprintf(buf, len, "%s/" T64_TOOL, dir);
		if ((rc = v6_mkdirs(buf, NULL)) < 0)
			return rc;
	}
	snprintf(buf, len, "%s/" T64_TOOL "/%s.local", dir, name);
	return 0;
}

/* Is a an address of this host (in the current network namespace)? */
static bool host_has(struct in_addr a)
{
	struct ifaddrs *ifs, *i;
	bool found = false;

	if (getifaddrs(&ifs) < 0)
		return false;
	for (i = ifs; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr == a.s_addr;
	freeifaddrs(ifs);
	return found;
}

int t64_override_apply(struct t64_conf *c)
{
	char path[4200], now[INET_ADDRSTRLEN + 4] = "", was[INET_ADDRSTRLEN + 4] = "";
	struct t64_conf o, f;
	FILE *fp;

	override_path(c->name, path, sizeof(path), false);
	if (!(fp = fopen(path, "r")))
		return 0;
	int n = fscanf(fp, "local %19s file-local %19s", now, was);
	fclose(fp);
	t64_conf_defaults(&o);
	t64_conf_defaults(&f);
	if (n != 2 || t64_conf_set(&o, "local", now, false, NULL) < 0 ||
	    t64_conf_set(&f, "local", was, false, NULL) < 0 || f.local.s_addr != c->local.s_addr) {
		/* Damaged, or the file's local was edited since: the file wins. */
		unlink(path);
		return 0;
	}
	/* The moved address is gone and the file's is back (a reboot, and
	 * DHCP handed out the old lease again): the file is right again.
	 * While neither is there yet, the newest one is the best guess. */
	if (!host_has(o.local) && (!c->local.s_addr || host_has(c->local))) {
		unlink(path);
		return 0;
	}
	c->local = o.local;
	return 1;
}

int t64_override_save(const char *name, struct in_addr file_local, struct in_addr now,
		      struct v6_err *err)
{
	char path[4200], tmp[4300], a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int rc = override_path(name, path, sizeof(path), true);
	FILE *f;

	if (rc < 0)
		return v6_err_set(err, rc, "%s: %s", path, strerror(-rc));
	if (file_local.s_addr == now.s_addr) {
		unlink(path);
		return 0;
	}
	inet_ntop(AF_INET, &now, a, sizeof(a));
	inet_ntop(AF_INET, &file_local, b, sizeof(b));
	snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid());
	if (!(f = fopen(tmp, "w")))
		return v6_err_set(err, -errno, "%s: %s", tmp, strerror(errno));
	fprintf(f, "local %s\nfile-local %s\n", now.s_addr ? a : "any",
		file_local.s_addr ? b : "any");
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return v6_err_set(err, -e, "%s: %s", path, strerror(e));
	}
	return 0;
}
