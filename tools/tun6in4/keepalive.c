/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `keepalive NAME [--once]`: idle keepalives for a kernel-mode tunnel,
 * whose sit link has no daemon of ours to send them.  Runs until the
 * tunnel goes away (or SIGTERM), watching the link's transmit counter;
 * the user-mode daemon does the same by itself. */
#define _GNU_SOURCE
#include "idle.h"
#include "tun6in4.h"

#include <errno.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A send-only protocol-41 socket: a filter that accepts nothing keeps the
 * tunnel's inbound packets from piling up in its receive queue. */
static int open_sender(const struct t64_conf *c, struct v6_err *err)
{
	struct sock_filter none = BPF_STMT(BPF_RET | BPF_K, 0);
	struct sock_fprog prog = { 1, &none };
	int fd = t64_raw_open(c, err);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	return fd;
}

int t64_cmd_keepalive(struct v6_cli *cli, int argc, char **argv)
{
	const char *name = NULL, *file = NULL;
	bool once = false;
	struct t64_conf c;
	struct t64_state st;
	struct v6_err err;
	struct v6_nl nl;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--once")) {
			once = true;
		} else if (!strcmp(argv[i], "-f")) {
			if (i + 1 >= argc)
				return v6_cli_usage(cli, "option '-f' needs a value");
			if (file)
				return v6_cli_usage(cli, "-f given twice: '%s'", argv[i + 1]);
			file = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return v6_cli_usage(cli, "unknown option '%s'", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return v6_cli_usage(cli, "unexpected '%s' after NAME", argv[i]);
		}
	}
	if (name && file)
		return v6_cli_usage(cli, "NAME '%s' and -f FILE exclude each other", name);
	if (!name && !file)
		return v6_cli_usage(cli, "missing NAME or -f FILE");
	if (name && v6_parse_ifname(name, "tunnel name", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if ((rc = t64_conf_from_file(name, file, &c)) != 0)
		return rc;
	if (!c.keepalive && !once) {
		v6_cli_error("%s: no 'keepalive SECONDS' in its configuration", c.name);
		return V6_EXIT_USAGE;
	}
	if ((rc = v6_cli_open(cli, &nl)) != 0)
		return rc;
	if (t64_state_read(c.name, &st, &err) < 0) {
		v6_cli_error("%s: not up", c.name);
		v6_nl_close(&nl);
		return V6_EXIT_RUNTIME;
	}
	if (st.mode == T64_MODE_USER && !once) {
		v6_cli_error("%s: user mode: the tunnel's daemon sends the keepalives", c.name);
		v6_nl_close(&nl);
		return V6_EXIT_OK;
	}
	/* The running tunnel's endpoints are the truth (`change local`). */
	c.local = st.conf.local;
	c.remote = st.conf.remote;
	int fd = open_sender(&c, &err);
	if (fd < 0) {
		v6_cli_error("%s", err.msg);
		v6_nl_close(&nl);
		return V6_EXIT_RUNTIME;
	}
	rc = V6_EXIT_OK;
	if (once) {
		int e = t64_idle_send(fd, &c, 0);
		if (e < 0) {
			v6_cli_error("%s: send: %s", c.name, strerror(-e));
			rc = V6_EXIT_RUNTIME;
		}
		goto out;
	}
	struct v6_link_stats s;
	struct t64_idle k;
	struct timespec tick = { 0, T64_IDLE_TICK_MS * 1000000L };
	if (v6_link_stats(&nl, c.name, &s, &err) < 0) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
		goto out;
	}
	t64_idle_init(&k, c.keepalive, s.tx_packets, v6_mono_ms());
	for (;;) {
		nanosleep(&tick, NULL);
		/* The tunnel went down: nothing left to keep alive. */
		if (v6_link_stats(&nl, c.name, &s, &err) < 0)
			break;
		if (!t64_idle_due(&k, s.tx_packets, v6_mono_ms()))
			continue;
		struct t64_state now;
		if (t64_state_read(c.name, &now, &err) < 0)
			break;
		if (now.conf.local.s_addr != c.local.s_addr) {
			/* The endpoint moved: a socket bound to the new one. */
			c.local = now.conf.local;
			close(fd);
			if ((fd = open_sender(&c, &err)) < 0) {
				v6_cli_error("%s", err.msg);
				rc = V6_EXIT_RUNTIME;
				break;
			}
		}
		t64_idle_send(fd, &c, k.seq);
	}
out:
	if (fd >= 0)
		close(fd);
	v6_nl_close(&nl);
	return rc;
}
