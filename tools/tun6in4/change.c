/* `change NAME local V4`: move the IPv4 endpoint of a running tunnel in
 * place (a dynamic IPv4 address changed), without taking it down. */
#define _GNU_SOURCE
#include "tun6in4.h"

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

int t64_cmd_change(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl;
	struct v6_err err;
	struct t64_state st, old;
	struct t64_conf next;
	int rc;

	if (argc != 4 || strcmp(argv[2], "local"))
		return v6_cli_usage_error(t64_usage, "change: expected NAME local V4|any");
	if (v6_parse_ifname(argv[1], "tunnel name", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	t64_conf_defaults(&next);
	if (t64_conf_set(&next, "local", argv[3], false, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if ((rc = v6_cli_open(cli, &nl)) != 0)
		return rc;
	rc = V6_EXIT_RUNTIME;
	if (t64_state_read(argv[1], &st, &err) < 0 ||
	    v6_link_owned(&nl, argv[1], T64_TOOL, &err) != 1) {
		v6_cli_error("%s: not up", argv[1]);
		goto out;
	}
	old = st;
	if (st.conf.local.s_addr == next.local.s_addr) {
		v6_cli_notice("%s: local is already %s, nothing changed", argv[1], argv[3]);
		rc = V6_EXIT_OK;
		goto out;
	}
	if (next.local.s_addr == st.conf.remote.s_addr) {
		v6_cli_error("%s: local and remote are the same address", argv[1]);
		rc = V6_EXIT_USAGE;
		goto out;
	}
	st.conf.local = next.local;
	st.conf.name[0] = '\0';
	snprintf(st.conf.name, sizeof(st.conf.name), "%s", argv[1]);
	t64_conf_canon(&st.conf, st.canon, sizeof(st.canon));
	if (st.mode == T64_MODE_KERNEL) {
		if (v6_sit_set_local(&nl, argv[1], next.local, &err) < 0 ||
		    t64_state_write(&st, argv[1], &err) < 0) {
			v6_cli_error("%s", err.msg);
			goto out;
		}
	} else {
		/* Refuse an address we cannot bind before the daemon sees it. */
		int fd = t64_raw_open(&st.conf, &err);
		if (fd < 0) {
			v6_cli_error("%s: %s", argv[1], err.msg);
			goto out;
		}
		if (t64_state_write(&st, argv[1], &err) < 0 ||
		    tell_daemon(argv[1], argv[3], fd, &err) < 0) {
			close(fd);
			v6_cli_error("%s: %s", argv[1], err.msg);
			t64_state_write(&old, argv[1], &err);
			goto out;
		}
		close(fd);
	}
	rc = V6_EXIT_OK;
out:
	v6_nl_close(&nl);
	return rc;
}
