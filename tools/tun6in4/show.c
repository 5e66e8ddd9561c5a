/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `show [NAME]`: the tunnels this tool runs, each field printed once for
 * both text and -j JSON. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void show_one(struct v6_nl *nl, struct v6_emit *e, const char *name,
		     const struct t64_state *st)
{
	const struct t64_conf *c = &st->conf;
	struct v6_err err;
	struct v6_link l;
	struct v6_link_stats stats = { 0 };
	struct v6_ifaddr *addrs = NULL;
	char a[V6_ADDRSTRLEN], local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];
	bool exists = v6_link_owned(nl, name, T64_TOOL, &err) == 1 &&
		      v6_link_by_name(nl, name, &l, &err) == 0;
	bool alive = exists && (st->mode == T64_MODE_KERNEL ||
				t64_daemon_alive(st->pid));
	struct in_addr lo = c->local, re = c->remote;
	unsigned ttl = c->ttl;

	if (exists && st->mode == T64_MODE_KERNEL) {
		/* Kernel mode: the link's own parameters are the truth. */
		struct v6_sit s;
		if (v6_sit_get(nl, name, &s, &err) == 0) {
			lo = s.local;
			re = s.remote;
			ttl = s.ttl;
		}
	}
	if (exists)
		v6_link_stats(nl, name, &stats, &err);
	inet_ntop(AF_INET, &lo, local, sizeof(local));
	inet_ntop(AF_INET, &re, remote, sizeof(remote));
	v6_emit_object_open(e, NULL);
	v6_emit_str(e, "name", "%s:", name);
	v6_emit_str(e, "mode", " %s", t64_mode_name(st->mode));
	v6_emit_str(e, "state", " %s", alive ? "up" : "down");
	v6_emit_str(e, "local", " local %s", lo.s_addr ? local : "any");
	v6_emit_str(e, "remote", " remote %s", remote);
	v6_emit_u64(e, "ttl", " ttl %llu", ttl);
	v6_emit_u64(e, "mtu", " mtu %llu", exists ? l.mtu : c->mtu);
	/* Every key is in every object, null where it has no value, so a
	 * script never has to tell "absent" from "unset". */
	if (st->mode == T64_MODE_USER && alive)
		v6_emit_i64(e, "pid", " pid %lld", st->pid);
	else
		v6_emit_str(e, "pid", st->mode == T64_MODE_USER ? " pid %s" : NULL, NULL);
	v6_emit_bool(e, "default_route", NULL, c->default_route);
	v6_emit_str(e, "table", c->table[0] ? " table %s" : NULL, c->table[0] ? c->table : NULL);
	char g[INET6_ADDRSTRLEN];
	v6_emit_str(e, "gateway", c->has_gateway ? " gateway %s" : NULL,
		    c->has_gateway ? inet_ntop(AF_INET6, &c->gateway, g, sizeof(g)) : NULL);
	v6_emit_text(e, "\n");
	v6_emit_array_open(e, "addresses");
	int n = exists ? v6_addr_list(nl, l.ifindex, AF_INET6, &addrs, &err) : 0;
	for (int i = 0; i < n; i++) {
		char p[V6_ADDRSTRLEN + 8];
		snprintf(p, sizeof(p), "%s/%u", v6_addr_str(&addrs[i].prefix.addr, a, sizeof(a)),
			 addrs[i].prefix.len);
		v6_emit_str(e, NULL, "    address %s\n", p);
	}
	free(addrs);
	v6_emit_array_close(e);
	v6_emit_u64(e, "rx_packets", "    rx %llu packets", stats.rx_packets);
	v6_emit_u64(e, "rx_bytes", " %llu bytes", stats.rx_bytes);
	v6_emit_u64(e, "tx_packets", "  tx %llu packets", stats.tx_packets);
	v6_emit_u64(e, "tx_bytes", " %llu bytes\n", stats.tx_bytes);
	if (st->mode == T64_MODE_USER) {
		/* The daemon's own view: what it refused and answered. */
		struct t64_stats ds;
		t64_stats_read(name, &ds);
		v6_emit_u64(e, "rx_dropped", "    dropped in %llu", ds.rx_dropped);
		v6_emit_u64(e, "tx_dropped", " out %llu", ds.tx_dropped);
		v6_emit_u64(e, "ptb_sent", "  packet too big sent %llu\n", ds.ptb_sent);
	} else {
		/* A sit link has no daemon to count them. */
		v6_emit_str(e, "rx_dropped", NULL, NULL);
		v6_emit_str(e, "tx_dropped", NULL, NULL);
		v6_emit_str(e, "ptb_sent", NULL, NULL);
	}
	v6_emit_object_close(e);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int t64_cmd_show(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl;
	struct v6_err err;
	struct v6_emit e;
	struct t64_state st;
	char dir[4096], *names[1024];
	const char *name;
	size_t n = 0;
	int rc;

	if ((rc = t64_args_name(cli, argc, argv, true, &name)) != 0)
		return rc;
	if ((rc = v6_cli_open(cli, &nl)) != 0)
		return rc;
	if (t64_state_dir(dir, sizeof(dir), &err) < 0) {
		v6_cli_error("%s", err.msg);
		v6_nl_close(&nl);
		return V6_EXIT_RUNTIME;
	}
	if (name) {
		if (t64_state_read(name, &st, &err) < 0) {
			v6_cli_error("%s: not up", name);
			v6_nl_close(&nl);
			return V6_EXIT_RUNTIME;
		}
		names[n++] = strdup(name);
	} else {
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d)) && n < sizeof(names) / sizeof(names[0])) {
			size_t l = strlen(de->d_name);
			if (l > 6 && !strcmp(de->d_name + l - 6, ".state"))
				names[n++] = strndup(de->d_name, l - 6);
		}
		if (d)
			closedir(d);
		qsort(names, n, sizeof(names[0]), by_name);
	}
	v6_cli_emit_init(cli, &e);
	v6_emit_array_open(&e, NULL);
	for (size_t i = 0; i < n; i++) {
		if (names[i] && t64_state_read(names[i], &st, &err) == 0)
			show_one(&nl, &e, names[i], &st);
		free(names[i]);
	}
	v6_emit_array_close(&e);
	v6_emit_end(&e);
	v6_nl_close(&nl);
	return V6_EXIT_OK;
}
