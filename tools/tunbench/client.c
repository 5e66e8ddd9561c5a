/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench client: ask a server for a test, connect the streams, run it. */
#define _GNU_SOURCE
#include "tunbench.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct client_opts {
	const char *host, *src, *write_path, *secret_file, *cc;
	uint32_t port, duration_ms, interval_ms, streams, len, window, tos, omit_ms;
	uint64_t rate_bps; /* UDP rate, or TCP pacing (0: none) */
	bool reverse, bidir, udp, len_set;
};

/* -S: iperf3 takes decimal, 0x hex or 0 octal (0xb8 is DSCP EF). */
static int parse_tos(const char *s, uint32_t *tos, struct v6_err *err)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = *s >= '0' && *s <= '9' ? strtoul(s, &end, 0) : 256;
	if (errno || v > 255 || *end)
		return v6_err_set(err, -EINVAL, "TOS must be 0-255 (0x.. hex allowed): '%s'", s);
	*tos = (uint32_t)v;
	return 0;
}

static int connect_to(const struct sockaddr_storage *dst, socklen_t dl, const char *src,
		      int type, uint32_t window, struct v6_err *err)
{
	int fd = socket(dst->ss_family, type | SOCK_CLOEXEC, 0);
	char buf[V6_ADDRSTRLEN];

	if (fd < 0)
		return v6_err_set(err, -errno, "socket: %s", strerror(errno));
	tb_set_window(fd, window, true); /* our own user's choice */
	if (src) {
		struct sockaddr_storage ss;
		socklen_t sl;
		int rc = tb_resolve(src, 0, dst->ss_family, &ss, &sl, err);
		if (rc < 0) {
			close(fd);
			return v6_err_prefix(err, rc, "source");
		}
		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			rc = -errno;
			close(fd);
			return v6_err_set(err, rc, "bind to '%s': %s", src, strerror(-rc));
		}
	}
	/* A connect that hangs (packets dropped) must not hang us. */
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, (const struct sockaddr *)dst, dl) < 0 && errno != EINPROGRESS) {
		int rc = -errno;
		close(fd);
		return v6_err_set(err, rc, "connect to %s port %u: %s",
				  tb_sockaddr_str((const struct sockaddr *)dst, buf, sizeof(buf)),
				  tb_sockaddr_port((const struct sockaddr *)dst), strerror(-rc));
	}
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int soerr = 0;
	socklen_t el = sizeof(soerr);
	if (poll(&p, 1, TB_HANDSHAKE_MS) <= 0)
		soerr = ETIMEDOUT;
	else
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &el);
	if (soerr) {
		close(fd);
		return v6_err_set(err, -soerr, "connect to %s port %u: %s",
				  tb_sockaddr_str((const struct sockaddr *)dst, buf, sizeof(buf)),
				  tb_sockaddr_port((const struct sockaddr *)dst), strerror(soerr));
	}
	fcntl(fd, F_SETFL, fl);
	return fd;
}

/* --write FILE: a regular file per stream (FILE.N with several); a
 * device such as /dev/null or a pipe is opened once, shared by all
 * streams, and never synced. */
static int open_write(const char *path, uint32_t i, uint32_t nrecv, char *name, size_t len,
		      int *shared, bool *nosync, struct v6_err *err)
{
	struct stat st;

	if (*shared >= 0) {
		snprintf(name, len, "%s", path);
		*nosync = true;
		return *shared;
	}
	if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		snprintf(name, len, "%s", path);
		*shared = open(path, O_WRONLY | O_CLOEXEC);
		if (*shared < 0)
			return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
		*nosync = true;
		return *shared;
	}
	*nosync = false;
	if (nrecv == 1)
		snprintf(name, len, "%s", path);
	else
		snprintf(name, len, "%s.%u", path, i + 1);
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return v6_err_set(err, -errno, "%s: %s", name, strerror(errno));
	return fd;
}

/* HELLO, then CHALLENGE/AUTH when the server asks for the secret, then
 * ACCEPT or ERROR. */
static int handshake(int ctl, struct tb_msg *m, const struct client_opts *o, struct v6_emit *e)
{
	enum tb_server_kind kind;
	struct v6_err err;
	int rc;

	if ((rc = tb_ctl_send(ctl, m, &err)) < 0 ||
	    (rc = tb_ctl_peek_server(ctl, TB_HANDSHAKE_MS, &kind, &err)) < 0) {
		tb_report_error(e, "server %s: %s", o->host, err.msg);
		return rc;
	}
	/* Both tools are often installed side by side: say which one
	 * answered rather than "bad magic". */
	if (kind != TB_SERVER_TUNBENCH) {
		tb_report_error(e, "%s port %u is not a tunbench server%s", o->host, o->port,
				kind == TB_SERVER_IPERF3 ? " (it looks like iperf3)" : "");
		return -EPROTO;
	}
	if ((rc = tb_ctl_recv(ctl, m, TB_HANDSHAKE_MS, &err)) < 0) {
		tb_report_error(e, "server %s: %s", o->host, err.msg);
		return rc;
	}
	if (m->type == TB_MSG_CHALLENGE) {
		static uint8_t secret[TB_SECRET_MAX];
		size_t slen;
		if (!o->secret_file) {
			tb_report_error(e, "server %s asks for a shared secret: use --secret-file",
					o->host);
			return -EACCES;
		}
		if ((rc = tb_read_secret(o->secret_file, secret, &slen, &err)) < 0) {
			tb_report_error(e, "%s", err.msg);
			return rc;
		}
		uint8_t nonce[TB_NONCE_LEN];
		memcpy(nonce, m->nonce, sizeof(nonce));
		memset(m, 0, sizeof(*m));
		m->type = TB_MSG_AUTH;
		tb_auth_proof(secret, slen, nonce, m->auth);
		memset(secret, 0, sizeof(secret));
		if ((rc = tb_ctl_send(ctl, m, &err)) < 0 ||
		    (rc = tb_ctl_recv(ctl, m, TB_HANDSHAKE_MS, &err)) < 0) {
			tb_report_error(e, "server %s: %s", o->host, err.msg);
			return rc;
		}
	}
	if (m->type == TB_MSG_ERROR) {
		tb_report_error(e, "server %s refused the test: %s", o->host, m->text);
		return -ECONNREFUSED;
	}
	return 0;
}

static int client_run(struct v6_emit *e, const struct client_opts *o)
{
	static struct tb_run run;
	static struct tb_stream streams[TB_STREAMS_MAX];
	static char names[TB_STREAMS_MAX][4200];
	struct sockaddr_storage dst;
	socklen_t dl;
	struct v6_err err;
	int ctl, rc, status = V6_EXIT_RUNTIME;
	uint32_t n = o->streams, total = o->bidir ? 2 * n : n, nrecv = 0;
	int shared_fd = -1;

	memset(&run, 0, sizeof(run));
	memset(streams, 0, sizeof(streams));
	for (uint32_t i = 0; i < TB_STREAMS_MAX; i++)
		streams[i].fd = streams[i].write_fd = -1;
	if ((rc = tb_resolve(o->host, (uint16_t)o->port, AF_UNSPEC, &dst, &dl, &err)) < 0) {
		tb_report_error(e, "%s", err.msg);
		return v6_cli_status(rc);
	}
	/* iperf's UDP defaults: a datagram that fills a 1500-byte Ethernet
	 * frame after the IPv4 or IPv6 and UDP headers. */
	uint32_t len = o->len_set || !o->udp ? o->len : dst.ss_family == AF_INET6 ? 1450 : 1470;
	if ((ctl = connect_to(&dst, dl, o->src, SOCK_STREAM, 0, &err)) < 0) {
		tb_report_error(e, "%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	int one = 1;
	setsockopt(ctl, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	struct tb_msg *m = &run.msg;
	memset(m, 0, sizeof(*m));
	m->type = TB_MSG_HELLO;
	m->proto = o->udp ? TB_UDP : TB_TCP;
	m->streams = n;
	m->duration_ms = o->duration_ms;
	m->flags = (o->reverse ? TB_F_REVERSE : 0) | (o->bidir ? TB_F_BIDIR : 0) |
		   (o->write_path ? TB_F_WRITE : 0);
	m->len = len;
	m->window = o->window;
	m->rate_bps = o->rate_bps;
	m->tos = o->tos;
	m->omit_ms = o->omit_ms;
	snprintf(m->cc, sizeof(m->cc), "%s", o->cc ? o->cc : "");
	if (handshake(ctl, m, o, e) < 0)
		goto out;
	if (m->type != TB_MSG_ACCEPT || m->nports != total) {
		tb_report_error(e, "server %s: unexpected %s", o->host, tb_msg_type_name(m->type));
		goto out;
	}
	uint64_t cookie = m->cookie;
	for (uint32_t i = 0; i < total; i++) {
		struct tb_stream *s = &streams[i];
		struct sockaddr_storage d = dst;
		bool rev = o->reverse || i >= n;
		tb_sockaddr_set_port((struct sockaddr *)&d, m->ports[i]);
		s->idx = i;
		s->udp = o->udp;
		s->rev = rev;
		s->sender = !rev;
		s->len = len;
		s->rate_bps = o->rate_bps / n ? o->rate_bps / n : 1;
		s->pace_bps = o->udp ? 0 : o->rate_bps / n;
		s->duration_ns = ((uint64_t)o->duration_ms + o->omit_ms) * 1000000;
		s->omit_ns = (uint64_t)o->omit_ms * 1000000;
		s->tos = o->tos;
		s->cc = o->cc;
		s->cookie = cookie;
		s->need_hello = o->udp && rev;
		s->fd = connect_to(&d, dl, o->src, o->udp ? SOCK_DGRAM : SOCK_STREAM,
				   o->udp && !o->window ? TB_UDP_BUF_DEFAULT : o->window, &err);
		if (s->fd < 0) {
			tb_report_error(e, "stream %u: %s", i + 1, err.msg);
			goto out;
		}
		if (!o->udp) {
			uint8_t g[TB_TCP_GREETING_LEN];
			tb_greeting_encode(g, cookie, i);
			if ((rc = tb_write_full(s->fd, g, sizeof(g), TB_HANDSHAKE_MS)) < 0) {
				tb_report_error(e, "stream %u: %s", i + 1, strerror(-rc));
				goto out;
			}
		}
		if (o->write_path && rev) {
			s->write_fd = open_write(o->write_path, nrecv++, n, names[i], sizeof(names[i]),
						 &shared_fd, &s->write_nosync, &err);
			if (s->write_fd < 0) {
				tb_report_error(e, "%s", err.msg);
				status = V6_EXIT_RUNTIME;
				goto out;
			}
			s->write_path = names[i];
		}
	}
	run.ctl = ctl;
	run.udp = o->udp;
	run.bidir = o->bidir;
	run.wrote = o->write_path != NULL;
	run.write_target = o->write_path;
	run.final_block = true;
	run.n = total;
	run.interval_ms = o->interval_ms;
	run.duration_ns = ((uint64_t)o->duration_ms + o->omit_ms) * 1000000;
	run.omit_ns = (uint64_t)o->omit_ms * 1000000;
	run.streams = streams;
	run.e = e;
	run.role = "client";
	if ((rc = tb_run_test(&run)) < 0) {
		tb_report_error(e, "%s", run.err);
		goto out;
	}
	status = V6_EXIT_OK;
out:
	for (uint32_t i = 0; i < total; i++) {
		if (streams[i].fd >= 0)
			close(streams[i].fd);
		if (streams[i].write_fd >= 0 && streams[i].write_fd != shared_fd &&
		    close(streams[i].write_fd) < 0 && !status) {
			tb_report_error(e, "%s: %s", streams[i].write_path, strerror(errno));
			status = V6_EXIT_RUNTIME;
		}
	}
	if (shared_fd >= 0)
		close(shared_fd);
	close(ctl);
	return status;
}

int tb_cmd_client(struct v6_cli *cli, int argc, char **argv)
{
	enum { OPT_WRITE = 256, OPT_BIDIR, OPT_SECRET };
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "time", required_argument, NULL, 't' },
		{ "interval", required_argument, NULL, 'i' },
		{ "parallel", required_argument, NULL, 'P' },
		{ "reverse", no_argument, NULL, 'R' },
		{ "udp", no_argument, NULL, 'u' },
		{ "bandwidth", required_argument, NULL, 'b' },
		{ "len", required_argument, NULL, 'l' },
		{ "bind", required_argument, NULL, 'B' },
		{ "window", required_argument, NULL, 'w' },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ "bidir", no_argument, NULL, OPT_BIDIR },
		{ "omit", required_argument, NULL, 'O' },
		{ "tos", required_argument, NULL, 'S' },
		{ "congestion", required_argument, NULL, 'C' },
		{ "secret-file", required_argument, NULL, OPT_SECRET },
		{ NULL, 0, NULL, 0 },
	};
	struct client_opts o = { .port = TB_DEFAULT_PORT, .duration_ms = 10000, .interval_ms = 1000,
				 .streams = 1 };
	const char *len_arg = NULL;
	bool rate_set = false;
	uint64_t v;
	struct v6_err err;
	struct v6_emit e;
	int c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":p:t:i:P:Rub:l:B:w:O:S:C:J", opts, NULL)) != -1) {
		switch (c) {
		case 'p': rc = v6_parse_u32(optarg, 1, 65535, &o.port, "port", &err); break;
		case 't': rc = tb_parse_secs(optarg, 100, TB_DURATION_MAX_MS, &o.duration_ms,
					     "time", &err); break;
		case 'i': rc = tb_parse_secs(optarg, 0, 3600000, &o.interval_ms, "interval", &err);
			  if (!rc && o.interval_ms && o.interval_ms < 100)
				  rc = v6_err_set(&err, -EINVAL, "interval must be 0 or 0.1-3600 seconds: '%s'", optarg);
			  break;
		case 'P': rc = v6_parse_u32(optarg, 1, TB_STREAMS_MAX, &o.streams, "streams", &err); break;
		case 'R': o.reverse = true; break;
		case 'u': o.udp = true; break;
		case 'b': rc = tb_parse_rate(optarg, &o.rate_bps, &err); rate_set = true; break;
		case 'l': len_arg = optarg; break;
		case 'B': o.src = optarg; break;
		case 'w':
			rc = tb_parse_size(optarg, 1, TB_WINDOW_MAX, &v, "window", &err);
			o.window = (uint32_t)v;
			break;
		case 'O': rc = tb_parse_secs(optarg, 0, TB_DURATION_MAX_MS - 100, &o.omit_ms, "omit",
					     &err); break;
		case 'S': rc = parse_tos(optarg, &o.tos, &err); break;
		case 'C':
			o.cc = optarg;
			if (!tb_cc_name_ok(optarg))
				rc = v6_err_set(&err, -EINVAL, "congestion control must be a name such as "
						"cubic or bbr: '%s'", optarg);
			break;
		case OPT_WRITE: o.write_path = optarg; break;
		case OPT_BIDIR: o.bidir = true; break;
		case OPT_SECRET: o.secret_file = optarg; break;
		case 'J': cli->json = true; break; /* iperf3's spelling of -j */
		default: return v6_cli_bad_option(cli, c, argv);
		}
		if (rc < 0)
			return v6_cli_usage(cli, "%s", err.msg);
	}
	if (optind >= argc)
		return v6_cli_usage(cli, "missing HOST");
	if (optind != argc - 1)
		return v6_cli_usage(cli, "one HOST only: unexpected '%s'", argv[optind + 1]);
	o.host = argv[optind];
	if (o.src && (rc = tb_resolve(o.src, 0, AF_UNSPEC, &(struct sockaddr_storage){ 0 },
				      &(socklen_t){ 0 }, &err)) < 0) {
		return v6_cli_usage(cli, "source: %s", err.msg);
	}
	uint32_t lmax = o.udp ? TB_UDP_LEN_MAX : TB_TCP_LEN_MAX, lmin = o.udp ? TB_UDP_LEN_MIN : 1;
	o.len = TB_TCP_LEN_DEFAULT; /* UDP: chosen once HOST's family is known */
	o.len_set = len_arg != NULL;
	if (len_arg && v6_parse_u32(len_arg, lmin, lmax, &o.len, "length", &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	if (o.udp && !rate_set)
		o.rate_bps = 1000000; /* iperf's UDP default; TCP is unpaced without -b */
	if (o.bidir && o.reverse)
		return v6_cli_usage(cli, "--bidir already sends both ways: drop '-R'");
	if (o.bidir && o.streams > TB_STREAMS_MAX / 2)
		return v6_cli_usage(cli, "-P must be 1-%u with --bidir: '%u'",
					  TB_STREAMS_MAX / 2, o.streams);
	if (o.write_path && !o.reverse && !o.bidir)
		return v6_cli_usage(cli, "'--write' stores received data: use it with -R or --bidir");
	if (o.omit_ms >= TB_DURATION_MAX_MS - o.duration_ms + 1)
		return v6_cli_usage(cli, "-t plus -O must stay within %u s",
					  TB_DURATION_MAX_MS / 1000);
	/* Refused here rather than by the kernel mid-test, with the list. */
	if (o.cc && tb_cc_allowed(o.cc, &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	if (o.secret_file) {
		uint8_t secret[TB_SECRET_MAX];
		size_t slen;
		if (tb_read_secret(o.secret_file, secret, &slen, &err) < 0) {
			v6_cli_error("%s", err.msg);
			return V6_EXIT_USAGE;
		}
		memset(secret, 0, sizeof(secret));
	}
	if ((rc = v6_cli_enter_netns(cli)))
		return rc;
	v6_cli_emit_init(cli, &e);
	return client_run(&e, &o);
}
