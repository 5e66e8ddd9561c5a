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
	int rc, owned, have;

	if (argc != 2)
		return v6_cli_usage_error(t64_usage, "down: expected NAME");
	if (v6_parse_ifname(argv[1], "tunnel name", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if ((rc = v6_cli_open(cli, &nl)) != 0)
		return rc;
	owned = v6_link_owned(&nl, argv[1], T64_TOOL, &err);
	have = t64_state_read(argv[1], &st, &err);
	rc = V6_EXIT_OK;
	if (owned < 0 && owned != -ENODEV) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
	} else if (owned == 0) {
		v6_cli_error("%s: not created by " T64_TOOL "; left alone", argv[1]);
		rc = V6_EXIT_RUNTIME;
	} else if (have == -ENOENT && owned == -ENODEV) {
		v6_cli_notice("%s: not up, nothing to do", argv[1]);
	} else {
		if (have == 0 && st.mode == T64_MODE_USER && t64_daemon_alive(st.pid)) {
			kill(st.pid, SIGTERM);
			if (!wait_exit(st.pid, 5000)) {
				kill(st.pid, SIGKILL);
				wait_exit(st.pid, 2000);
			}
		}
		/* Kernel mode, or a TUN device someone keeps open: delete it. */
		if (v6_link_owned(&nl, argv[1], T64_TOOL, &err) == 1 &&
		    v6_link_by_name(&nl, argv[1], &l, &err) == 0 &&
		    v6_link_delete(&nl, l.ifindex, &err) < 0 && err.msg[0]) {
			v6_cli_error("%s", err.msg);
			rc = V6_EXIT_RUNTIME;
		}
		t64_state_remove(argv[1]);
	}
	v6_nl_close(&nl);
	return rc;
}
