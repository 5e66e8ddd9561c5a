/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `change NAME KEY VALUE...`: alter a running tunnel in place, without
 * taking it down (a dynamic IPv4 address changed, a new address or
 * gateway); what can change in place in which mode is in inplace.c. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Hand the daemon its new socket, over the channel only `change` uses
 * (ctl.c): no signal goes to anyone, and the answer comes back on this
 * connection alone.  The socket is made here, as root; the daemon has no
 * privilege left to make one. */
static int tell_daemon(const char *name, const char *local, int sock, struct v6_err *err)
{
	char req[64], reply[600];
	int rc;

	snprintf(req, sizeof(req), "local %s", local);
	if ((rc = t64_ctl_request(name, req, sock, reply, sizeof(reply), err)) < 0)
		return rc;
	if (strcmp(reply, "ok"))
		return v6_err_set(err, -EIO, "the tunnel daemon could not move its socket: %s",
				  !strncmp(reply, "error: ", 7) ? reply + 7 : reply);
	return 0;
}

/* After a moved local: keep it for later `up`s of the same conf file. */
static void persist_local(const char *name, struct in_addr now)
{
	char path[4096];
	struct t64_conf f;
	struct v6_err err;

	/* A tunnel from the command line is described by that command line. */
	if (t64_source_get(name, path, sizeof(path)) < 0)
		return;
	if (t64_conf_load_named(&f, path, name, &err) < 0 ||
	    t64_override_save(name, f.local, now, &err) < 0)
		v6_cli_error("%s: warning: the new local will not outlive the tunnel: %s", name,
			     err.msg);
}

/* Kernel mode after the sit change: the MTU, addresses and routes, then
 * the state; a failure undoes all of it, the sit change included. */
static int kernel_links(struct v6_nl *nl, int ifindex, const struct t64_state *st,
			const struct t64_conf *old, unsigned diff, struct v6_err *err)
{
	const struct t64_conf *next = &st->conf;
	bool mtu_set = false, moved = false;

	if ((diff & T64_KEY_MTU) && v6_link_set_mtu(nl, ifindex, next->mtu, err) < 0)
		goto undo;
	mtu_set = diff & T64_KEY_MTU;
	if (t64_inplace_addrs_routes(nl, ifindex, old, next, diff, err) < 0)
		goto undo;
	moved = true;
	if (t64_state_write(st, next->name, err) == 0)
		return 0;
undo:
	if (moved)
		t64_inplace_addrs_routes(nl, ifindex, next, old, diff, NULL);
	if (mtu_set)
		v6_link_set_mtu(nl, ifindex, old->mtu, NULL);
	if (diff & (T64_KEY_LOCAL | T64_KEY_REMOTE | T64_KEY_TTL))
		v6_sit_change(nl, next->name, old->local, old->remote, (uint8_t)old->ttl, NULL);
	return -1;
}

int t64_change_to(struct v6_nl *nl, const char *name, struct t64_state *st,
		  const struct t64_conf *next_in)
{
	struct v6_err err;
	struct t64_state old = *st;
	struct t64_conf next = *next_in;
	struct v6_link l;
	char keys[128];
	unsigned diff = t64_conf_diff(&st->conf, st->mode, &next);
	unsigned restart = t64_restart_keys(diff, st->mode, &st->conf, &next);

	snprintf(next.name, sizeof(next.name), "%s", name);
	if (restart) {
		t64_key_names(restart, keys, sizeof(keys));
		v6_cli_error("%s: %s cannot change in place in %s mode; restart the tunnel", name,
			     keys, t64_mode_name(st->mode));
		return V6_EXIT_USAGE;
	}
	if (!diff) {
		v6_cli_error("%s: nothing changed", name);
		return V6_EXIT_OK;
	}
	if (t64_conf_check(&next, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (v6_link_by_name(nl, name, &l, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	st->conf = next;
	t64_conf_canon(&st->conf, st->canon, sizeof(st->canon));
	if (st->mode == T64_MODE_KERNEL) {
		if ((diff & (T64_KEY_LOCAL | T64_KEY_REMOTE | T64_KEY_TTL)) &&
		    v6_sit_change(nl, name, next.local, next.remote, (uint8_t)next.ttl, &err) < 0) {
			v6_cli_error("%s", err.msg);
			*st = old;
			return V6_EXIT_RUNTIME;
		}
		if (kernel_links(nl, l.ifindex, st, &old.conf, diff, &err) < 0) {
			v6_cli_error("%s: %s", name, err.msg);
			*st = old;
			return V6_EXIT_RUNTIME;
		}
	} else {
		int fd = -1;
		char local[INET_ADDRSTRLEN] = "any";

		if (diff & T64_KEY_LOCAL) {
			/* The socket is made here, as root, and handed to the daemon,
			 * which has no privilege left to make one; an address we
			 * cannot bind is refused before the daemon sees it. */
			fd = t64_raw_open(&st->conf, &err);
			if (fd < 0) {
				v6_cli_error("%s: %s", name, err.msg);
				*st = old;
				return V6_EXIT_RUNTIME;
			}
			if (next.local.s_addr != INADDR_ANY)
				inet_ntop(AF_INET, &next.local, local, sizeof(local));
		}
		if (t64_inplace_addrs_routes(nl, l.ifindex, &old.conf, &next, diff, &err) < 0) {
			v6_cli_error("%s: %s", name, err.msg);
			if (fd >= 0)
				close(fd);
			*st = old;
			return V6_EXIT_RUNTIME;
		}
		if (t64_state_write(st, name, &err) < 0 ||
		    (fd >= 0 && tell_daemon(name, local, fd, &err) < 0)) {
			v6_cli_error("%s: %s", name, err.msg);
			if (fd >= 0)
				close(fd);
			t64_state_write(&old, name, &err);
			t64_inplace_addrs_routes(nl, l.ifindex, &next, &old.conf, diff, NULL);
			*st = old;
			return V6_EXIT_RUNTIME;
		}
		if (fd >= 0)
			close(fd);
	}
	if (diff & T64_KEY_LOCAL)
		persist_local(name, next.local);
	return V6_EXIT_OK;
}

/* Shared by `change` and `reload`: netlink open and the running tunnel
 * NAME's state read; 0, or an exit status after a one-line error (the
 * session closed again). */
int t64_running_open(struct v6_cli *cli, const char *name, struct v6_nl *nl,
		     struct t64_state *st)
{
	struct v6_err err;
	int rc;

	if ((rc = v6_cli_open(cli, nl)) != 0)
		return rc;
	if (t64_state_read(name, st, &err) < 0 || v6_link_owned(nl, name, T64_TOOL, &err) != 1) {
		v6_cli_error("%s: not up", name);
		v6_nl_close(nl);
		return V6_EXIT_RUNTIME;
	}
	return 0;
}

int t64_cmd_change(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl;
	struct v6_err err;
	struct t64_state st;
	struct t64_conf next;
	bool addrs_seen = false;
	int rc;

	/* Keys never start with '-'; a value may (none does today). */
	for (int i = 1; i < argc; i += i == 1 ? 1 : 2)
		if (argv[i][0] == '-' && argv[i][1])
			return v6_cli_usage(cli, "unknown option '%s'", argv[i]);
	if (argc < 2)
		return v6_cli_usage(cli, "missing NAME");
	if (argc < 3)
		return v6_cli_usage(cli, "missing KEY VALUE after '%s'", argv[1]);
	if (argc % 2)
		return v6_cli_usage(cli, "'%s' needs a value", argv[argc - 1]);
	if (v6_parse_ifname(argv[1], "tunnel name", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	/* Check every word before touching anything. */
	t64_conf_defaults(&next);
	for (int i = 2; i < argc; i += 2)
		if (t64_conf_set(&next, argv[i], argv[i + 1], false, &err) < 0) {
			v6_cli_error("%s", err.msg);
			return V6_EXIT_USAGE;
		}
	if ((rc = t64_running_open(cli, argv[1], &nl, &st)) != 0)
		return rc;
	/* The running parameters with the given keys replaced; a first
	 * `address` replaces the whole set, later ones add to it. */
	next = st.conf;
	for (int i = 2; i < argc; i += 2) {
		if (!strcmp(argv[i], "address") && !addrs_seen) {
			next.naddr = 0;
			addrs_seen = true;
		}
		t64_conf_set(&next, argv[i], argv[i + 1], false, &err);
	}
	rc = t64_change_to(&nl, argv[1], &st, &next);
	v6_nl_close(&nl);
	return rc;
}
