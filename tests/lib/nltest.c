/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A thin command-line driver over lib/'s netlink calls, so the namespace
 * lab can test the library itself (tests/05-lib.bats).  Prints results as
 * JSON through the library's emitter; exits with -rc of a failed call. */
#include "v6nl.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static struct v6_nl nl;
static struct v6_err err;

static int fail(int rc)
{
	fprintf(stderr, "nltest: %s\n", err.msg);
	return rc < 0 ? -rc : 1;
}

static int ifindex(const char *name)
{
	struct v6_link l;
	if (v6_link_by_name(&nl, name, &l, &err) < 0)
		exit(fail(-ENODEV));
	return l.ifindex;
}

static void parse_prefix(const char *s, struct v6_prefix *p)
{
	if (v6_parse_prefix(s, V6_PARSE_ANY | V6_PARSE_HOSTBITS, p, "prefix", &err) < 0)
		exit(fail(-EINVAL));
}

static int cmd_link(char **a)
{
	struct v6_link l;
	struct v6_emit e;

	if (v6_link_by_name(&nl, a[0], &l, &err) < 0)
		return fail(-ENODEV);
	v6_emit_init(&e, stdout, V6_EMIT_JSON);
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "name", NULL, l.name);
	v6_emit_i64(&e, "ifindex", NULL, l.ifindex);
	v6_emit_str(&e, "kind", NULL, l.kind);
	v6_emit_str(&e, "alias", NULL, l.alias);
	v6_emit_u64(&e, "mtu", NULL, l.mtu);
	v6_emit_u64(&e, "type", NULL, l.type);
	v6_emit_bool(&e, "up", NULL, l.up);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	return 0;
}

static int cmd_addrs(char **a)
{
	struct v6_ifaddr *v = NULL;
	struct v6_emit e;
	char buf[V6_ADDRSTRLEN];
	int n = v6_addr_list(&nl, ifindex(a[0]), AF_UNSPEC, &v, &err);

	if (n < 0)
		return fail(n);
	v6_emit_init(&e, stdout, V6_EMIT_JSON);
	v6_emit_array_open(&e, NULL);
	for (int i = 0; i < n; i++) {
		v6_emit_object_open(&e, NULL);
		v6_emit_str(&e, "addr", NULL, v6_addr_str(&v[i].prefix.addr, buf, sizeof(buf)));
		v6_emit_u64(&e, "len", NULL, v[i].prefix.len);
		v6_emit_u64(&e, "flags", NULL, v[i].flags);
		v6_emit_object_close(&e);
	}
	v6_emit_array_close(&e);
	v6_emit_end(&e);
	free(v);
	return 0;
}

static int route_from_args(char **a, struct v6_route *r)
{
	/* DST TABLE DEV GW|- PROTO */
	memset(r, 0, sizeof(*r));
	if (!strcmp(a[0], "default4") || !strcmp(a[0], "default6")) {
		r->family = a[0][7] == '4' ? AF_INET : AF_INET6;
		r->dst.addr.family = r->family;
	} else {
		parse_prefix(a[0], &r->dst);
		r->family = r->dst.addr.family;
	}
	r->table = (uint32_t)strtoul(a[1], NULL, 10);
	r->ifindex = ifindex(a[2]);
	if (strcmp(a[3], "-")) {
		if (v6_parse_addr(a[3], V6_PARSE_ANY, &r->gw, "gateway", &err) < 0)
			exit(fail(-EINVAL));
		r->has_gw = true;
	}
	r->protocol = (uint8_t)strtoul(a[4], NULL, 10);
	return 0;
}

static int cmd_route_add(char **a)
{
	struct v6_route r;
	route_from_args(a, &r);
	int rc = v6_route_add(&nl, &r, V6_NL_EXCL, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_route_del(char **a)
{
	struct v6_route r;
	route_from_args(a, &r);
	int rc = v6_route_del(&nl, &r, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_routes(char **a)
{
	struct v6_route *v = NULL;
	int fam = !strcmp(a[0], "4") ? AF_INET : AF_INET6;
	int n = v6_route_list(&nl, fam, (uint8_t)atoi(a[1]), &v, &err);
	char buf[V6_ADDRSTRLEN], dev[IF_NAMESIZE];

	if (n < 0)
		return fail(n);
	for (int i = 0; i < n; i++)
		printf("%s table %u dev %s%s%s proto %u\n",
		       v[i].dst.len ? v6_prefix_str(&v[i].dst, buf, sizeof(buf)) : "default",
		       v[i].table, if_indextoname((unsigned)v[i].ifindex, dev) ? dev : "-",
		       v[i].has_gw ? " via " : "", v[i].has_gw ? v6_addr_str(&v[i].gw, buf, sizeof(buf)) : "",
		       v[i].protocol);
	free(v);
	return 0;
}

static int rule_from_args(char **a, struct v6_rule *r)
{
	/* SRC PRIO TABLE PROTO */
	memset(r, 0, sizeof(*r));
	parse_prefix(a[0], &r->src);
	r->family = r->src.addr.family;
	r->prio = (uint32_t)strtoul(a[1], NULL, 10);
	r->table = (uint32_t)strtoul(a[2], NULL, 10);
	r->protocol = (uint8_t)strtoul(a[3], NULL, 10);
	return 0;
}

static int cmd_rule_add(char **a)
{
	struct v6_rule r;
	rule_from_args(a, &r);
	int rc = v6_rule_add(&nl, &r, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_rule_del(char **a)
{
	struct v6_rule r;
	rule_from_args(a, &r);
	int rc = v6_rule_del(&nl, &r, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_rules(char **a)
{
	struct v6_rule *v = NULL;
	int fam = !strcmp(a[0], "4") ? AF_INET : AF_INET6;
	int n = v6_rule_list(&nl, fam, (uint8_t)atoi(a[1]), &v, &err);
	char buf[V6_ADDRSTRLEN];

	if (n < 0)
		return fail(n);
	for (int i = 0; i < n; i++)
		printf("%u from %s table %u proto %u family %d\n", v[i].prio,
		       v[i].src.len ? v6_prefix_str(&v[i].src, buf, sizeof(buf)) : "all", v[i].table,
		       v[i].protocol, v[i].family == AF_INET ? 4 : 6);
	free(v);
	return 0;
}

static int cmd_route_get(char **a)
{
	struct v6_addr dst, src, pref;
	struct v6_route r;
	char buf[V6_ADDRSTRLEN], dev[IF_NAMESIZE];
	bool has_src = strcmp(a[1], "-");

	if (v6_parse_addr(a[0], V6_PARSE_ANY, &dst, "destination", &err) < 0 ||
	    (has_src && v6_parse_addr(a[1], V6_PARSE_ANY, &src, "source", &err) < 0))
		return fail(-EINVAL);
	int rc = v6_route_get(&nl, &dst, has_src ? &src : NULL, 0, &r, &pref, &err);
	if (rc < 0)
		return fail(rc);
	printf("dev %s", if_indextoname((unsigned)r.ifindex, dev) ? dev : "-");
	if (r.has_gw)
		printf(" via %s", v6_addr_str(&r.gw, buf, sizeof(buf)));
	printf(" table %u", r.table);
	if (!v6_addr_is_unspec(&pref))
		printf(" src %s", v6_addr_str(&pref, buf, sizeof(buf)));
	putchar('\n');
	return 0;
}

static int cmd_neigh_get(char **a)
{
	struct v6_addr x;
	struct v6_neigh n;

	if (v6_parse_addr(a[1], V6_PARSE_ANY, &x, "neighbour", &err) < 0)
		return fail(-EINVAL);
	int rc = v6_neigh_get(&nl, ifindex(a[0]), &x, &n, &err);
	if (rc < 0)
		return fail(rc);
	printf("state 0x%x lladdr", n.state);
	for (size_t i = 0; i < n.lladdr_len; i++)
		printf("%c%02x", i ? ':' : ' ', n.lladdr[i]);
	putchar('\n');
	return 0;
}

static int cmd_addr_add(char **a)
{
	struct v6_prefix p;
	parse_prefix(a[1], &p);
	int rc = v6_addr_add(&nl, ifindex(a[0]), &p, 0, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_addr_del(char **a)
{
	struct v6_prefix p;
	parse_prefix(a[1], &p);
	int rc = v6_addr_del(&nl, ifindex(a[0]), &p, &err);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_wait_addr(char **a)
{
	struct v6_prefix p;
	parse_prefix(a[1], &p);
	int rc = v6_wait_addr(&nl, ifindex(a[0]), &p.addr, atoi(a[2]), &err);
	if (rc < 0)
		return fail(rc);
	puts("usable");
	return 0;
}

/* ROUNDS times: another process adds ADDR (IPv4) while we wait for it,
 * then a raw socket binds to it at once, as tun6in4's user mode does.
 * Prints how many binds worked; the kernel announces an address before
 * its local route exists, so without the wait's bind probe some fail. */
static int cmd_wait_bind(char **a)
{
	struct v6_prefix p;
	int rounds = atoi(a[2]), ok = 0, ifi = ifindex(a[0]);

	parse_prefix(a[1], &p);
	for (int i = 0; i < rounds; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			struct v6_nl child;
			usleep(20000); /* the parent is in poll() by then */
			_exit(v6_nl_open(&child, &err) < 0 ||
			      v6_addr_add(&child, ifi, &p, 0, &err) < 0);
		}
		int rc = v6_wait_addr(&nl, ifi, &p.addr, 5000, &err);
		int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPV6);
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = p.addr.v4 };
		int status;

		if (rc == 0 && fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			ok++;
		if (fd >= 0)
			close(fd);
		if (waitpid(pid, &status, 0) < 0 || status != 0 || rc < 0)
			return fail(rc < 0 ? rc : -EIO);
		if ((rc = v6_addr_del(&nl, ifi, &p, &err)) < 0)
			return fail(rc);
	}
	printf("%d of %d bound\n", ok, rounds);
	return 0;
}

static int cmd_wait_link(char **a)
{
	enum v6_link_want w = !strcmp(a[1], "exists") ? V6_LINK_EXISTS
			      : !strcmp(a[1], "up") ? V6_LINK_UP : V6_LINK_RUNNING;
	int rc = v6_wait_link(&nl, a[0], w, atoi(a[2]), &err);
	if (rc < 0)
		return fail(rc);
	puts("ready");
	return 0;
}

static int cmd_set(char **a)
{
	int idx = ifindex(a[0]), rc;

	if (!strcmp(a[1], "up") || !strcmp(a[1], "down"))
		rc = v6_link_set_up(&nl, idx, a[1][0] == 'u', &err);
	else if (!strcmp(a[1], "mtu"))
		rc = v6_link_set_mtu(&nl, idx, (unsigned)atoi(a[2]), &err);
	else if (!strcmp(a[1], "alias"))
		rc = v6_link_set_alias(&nl, idx, a[2], &err);
	else
		rc = v6_err_set(&err, -EINVAL, "unknown setting '%s'", a[1]);
	return rc < 0 ? fail(rc) : 0;
}

static int cmd_owned(char **a)
{
	int rc = v6_link_owned(&nl, a[0], a[1], &err);
	if (rc < 0)
		return fail(rc);
	puts(rc ? "owned" : "foreign");
	return 0;
}

static int cmd_delete(char **a)
{
	int rc = v6_link_delete(&nl, ifindex(a[0]), &err);
	return rc < 0 ? fail(rc) : 0;
}

static const struct {
	const char *name;
	int nargs;
	int (*fn)(char **a);
} cmds[] = {
	{ "link", 1, cmd_link },	   { "addrs", 1, cmd_addrs },
	{ "addr-add", 2, cmd_addr_add },   { "addr-del", 2, cmd_addr_del },
	{ "wait-addr", 3, cmd_wait_addr }, { "wait-link", 3, cmd_wait_link },
	{ "wait-bind", 3, cmd_wait_bind },
	{ "set", 2, cmd_set },		   { "owned", 2, cmd_owned },
	{ "delete", 1, cmd_delete },	   { "route-add", 5, cmd_route_add },
	{ "route-del", 5, cmd_route_del }, { "routes", 2, cmd_routes },
	{ "rule-add", 4, cmd_rule_add },   { "rule-del", 4, cmd_rule_del },
	{ "rules", 2, cmd_rules },	   { "route-get", 2, cmd_route_get },
	{ "neigh-get", 2, cmd_neigh_get },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: nltest NETNS COMMAND ARGS...\n");
		return 64;
	}
	if (strcmp(argv[1], "-") && v6_netns_enter(argv[1], &err) < 0)
		return fail(-ENOENT);
	if (v6_nl_open(&nl, &err) < 0)
		return fail(-EIO);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, argv[2])) {
			if (argc - 3 < cmds[i].nargs) {
				fprintf(stderr, "nltest: %s needs %d arguments\n", argv[2], cmds[i].nargs);
				return 64;
			}
			rc = cmds[i].fn(argv + 3);
			v6_nl_close(&nl);
			return rc;
		}
	fprintf(stderr, "nltest: unknown command %s\n", argv[2]);
	return 64;
}
