/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `down`: stop a tunnel this tool created; never touch anyone else's. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Wait for pid to exit without polling its state in a sleep loop. */
static bool wait_exit(pid_t pid, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p;
	int r;

	if (fd < 0)
		return errno == ESRCH;
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&p, 1, timeout_ms);
	close(fd);
	return r == 1;
}

int t64_cmd_down(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl;
	struct v6_err err;
	struct t64_state st;
	struct v6_link l;
	const char *name;
	int rc, owned, have;

	if ((rc = t64_args_name(cli, argc, argv, false, &name)) != 0)
		return rc;
	if ((rc = v6_cli_open(cli, &nl)) != 0)
		return rc;
	owned = v6_link_owned(&nl, name, T64_TOOL, &err);
	have = t64_state_read(name, &st, &err);
	rc = V6_EXIT_OK;
	if (owned < 0 && owned != -ENODEV) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
	} else if (owned == 0) {
		v6_cli_error("%s: not created by " T64_TOOL "; left alone", name);
		rc = V6_EXIT_RUNTIME;
	} else if (have == -ENOENT && owned == -ENODEV) {
		v6_cli_error("%s: not up, nothing to do", name);
	} else {
		if (have == 0 && st.mode == T64_MODE_USER && t64_daemon_alive(st.pid)) {
			v6_cli_verbose(cli, "%s: waiting up to 5 s for the tunnel daemon (pid %d) to exit",
				       name, (int)st.pid);
			kill(st.pid, SIGTERM);
			if (!wait_exit(st.pid, 5000)) {
				kill(st.pid, SIGKILL);
				wait_exit(st.pid, 2000);
			}
		}
		/* Kernel mode, or a TUN device someone keeps open: delete it. */
		if (v6_link_owned(&nl, name, T64_TOOL, &err) == 1 &&
		    v6_link_by_name(&nl, name, &l, &err) == 0 &&
		    v6_link_delete(&nl, l.ifindex, &err) < 0 && err.msg[0]) {
			v6_cli_error("%s", err.msg);
			rc = V6_EXIT_RUNTIME;
		}
		t64_state_remove(name);
	}
	v6_nl_close(&nl);
	return rc;
}
