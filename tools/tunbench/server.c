/* tunbench server: many clients at once, a thread per client.  Nothing a
 * client sends can stop it: bad, idle or vanished peers end their own
 * session only, with a log line. */
#define _GNU_SOURCE
#include "tunbench.h"
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct server {
	struct v6_emit *e;
	const char *write_dir;
	uint32_t max_clients;
	bool once;
	atomic_uint active;
	atomic_uint_fast64_t next_session;
	atomic_int once_status; /* -1 until the --once session ends */
};

#define TB_WRITE_PATH_MAX 1024

struct session {
	struct server *srv;
	int ctl;
	uint64_t id;
	char peer[V6_ADDRSTRLEN];
	struct sockaddr_storage peer_addr;
	struct tb_run run;
	struct v6_emit emit; /* per session: the emitter keeps state */
	struct tb_stream streams[TB_STREAMS_MAX];
	char names[TB_STREAMS_MAX][TB_WRITE_PATH_MAX + 40];
	bool had_hello; /* a real test, not a stray connection */
	int data_fds[TB_STREAMS_MAX]; /* listening TCP socket or UDP sockets */
};

/* Log to stderr: one line per event, never fatal. */
static void slog(const struct session *s, const char *fmt, const char *detail)
{
	char msg[400];
	snprintf(msg, sizeof(msg), fmt, detail);
	v6_cli_notice("session %llu from %s: %s", (unsigned long long)s->id, s->peer, msg);
}

static int bound_socket(int type, const struct sockaddr_storage *local, socklen_t ll)
{
	struct sockaddr_storage a = *local;
	int fd = socket(a.ss_family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	tb_sockaddr_set_port((struct sockaddr *)&a, 0);
	if (bind(fd, (struct sockaddr *)&a, ll) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Accept the client's n data connections; strays and garbage are dropped. */
static int accept_streams(struct session *s, int lfd, uint64_t cookie, uint32_t n)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)TB_HANDSHAKE_MS * 1000000;
	uint32_t have = 0;

	while (have < n) {
		uint64_t now = tb_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		uint8_t g[TB_TCP_GREETING_LEN];
		uint32_t idx;
		if (tb_read_full(fd, g, sizeof(g), 2000) < 0 ||
		    tb_greeting_decode(g, cookie, n, &idx) < 0 || s->streams[idx].fd >= 0) {
			slog(s, "%s", "dropped a data connection with a bad greeting");
			close(fd);
			continue;
		}
		s->streams[idx].fd = fd;
		have++;
	}
	return 0;
}

static int session_setup(struct session *s, const struct tb_msg *hello)
{
	struct server *srv = s->srv;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	bool udp = hello->proto == TB_UDP, reverse = hello->flags & TB_F_REVERSE;
	uint32_t n = hello->streams;
	uint64_t cookie = tb_random64();
	static __thread struct tb_msg acc;
	struct v6_err err;
	int rc;

	if (getsockname(s->ctl, (struct sockaddr *)&local, &ll) < 0)
		return -errno;
	memset(&acc, 0, sizeof(acc));
	acc.type = TB_MSG_ACCEPT;
	acc.cookie = cookie;
	acc.nports = n;
	for (uint32_t i = 0; i < n; i++) {
		struct tb_stream *st = &s->streams[i];
		st->idx = i;
		st->udp = udp;
		st->sender = reverse;
		st->len = hello->len;
		st->rate_bps = hello->rate_bps / n ? hello->rate_bps / n : 1;
		st->duration_ns = (uint64_t)hello->duration_ms * 1000000;
		st->cookie = cookie;
		st->need_hello = udp && reverse;
		st->peer = &s->peer_addr;
		if (udp || i == 0) {
			rc = bound_socket(udp ? SOCK_DGRAM : SOCK_STREAM, &local, ll);
			if (rc < 0)
				return rc;
			s->data_fds[i] = rc;
			tb_set_window(rc, udp && !hello->window ? TB_UDP_BUF_DEFAULT : hello->window);
		}
		struct sockaddr_storage a;
		socklen_t al = sizeof(a);
		getsockname(s->data_fds[udp ? i : 0], (struct sockaddr *)&a, &al);
		acc.ports[i] = tb_sockaddr_port((struct sockaddr *)&a);
		if (udp) {
			st->fd = s->data_fds[i];
			s->data_fds[i] = -1;
		}
		if (srv->write_dir && !reverse) {
			snprintf(s->names[i], sizeof(s->names[i]), "%s/tunbench-%llu-%u.dat",
				 srv->write_dir, (unsigned long long)s->id, i + 1);
			st->write_fd = open(s->names[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (st->write_fd < 0) {
				rc = -errno;
				slog(s, "%s", s->names[i]);
				return rc;
			}
			st->write_path = s->names[i];
		}
	}
	if ((rc = tb_ctl_send(s->ctl, &acc, &err)) < 0)
		return rc;
	if (!udp) {
		rc = accept_streams(s, s->data_fds[0], cookie, n);
		if (rc < 0)
			return rc;
		for (uint32_t i = 0; i < n; i++)
			tb_set_window(s->streams[i].fd, hello->window);
	}
	s->run.ctl = s->ctl;
	s->run.we_send = reverse;
	s->run.udp = udp;
	s->run.wrote = srv->write_dir && !reverse;
	s->run.n = n;
	s->run.interval_ms = 1000;
	s->run.duration_ns = (uint64_t)hello->duration_ms * 1000000;
	s->run.session = s->id;
	s->run.streams = s->streams;
	v6_emit_init(&s->emit, srv->e->out, srv->e->mode);
	s->run.e = &s->emit;
	s->run.role = "server";
	return 0;
}

static int session_serve(struct session *s)
{
	struct tb_msg *hello = &s->run.msg;
	struct v6_err err;
	int rc;

	rc = tb_ctl_recv(s->ctl, hello, TB_HANDSHAKE_MS, &err);
	if (rc == -EPROTONOSUPPORT) {
		slog(s, "%s", err.msg);
		tb_ctl_send_error(s->ctl, TB_ERR_VERSION, err.msg);
		return rc;
	}
	if (rc < 0 || hello->type != TB_MSG_HELLO) {
		slog(s, "dropped: %s", rc < 0 ? err.msg : "expected HELLO");
		if (rc == -EBADMSG || rc == 0)
			tb_ctl_send_error(s->ctl, TB_ERR_BAD_REQUEST, rc < 0 ? err.msg : "expected HELLO");
		return rc < 0 ? rc : -EPROTO;
	}
	s->had_hello = true;
	char what[120];
	snprintf(what, sizeof(what), "%s, %u stream%s, %u ms%s", hello->proto == TB_UDP ? "UDP" : "TCP",
		 hello->streams, hello->streams > 1 ? "s" : "", hello->duration_ms,
		 hello->flags & TB_F_REVERSE ? ", reverse" : "");
	slog(s, "%s", what);
	if ((rc = session_setup(s, hello)) < 0) {
		snprintf(what, sizeof(what), "setting up streams: %s", strerror(-rc));
		slog(s, "%s", what);
		tb_ctl_send_error(s->ctl, TB_ERR_INTERNAL, what);
		return rc;
	}
	if ((rc = tb_run_test(&s->run)) < 0) {
		slog(s, "%s", s->run.err);
		tb_ctl_send_error(s->ctl, TB_ERR_INTERNAL, s->run.err);
		return rc;
	}
	slog(s, "%s", "done");
	return 0;
}

static void *session_main(void *arg)
{
	struct session *s = arg;
	struct server *srv = s->srv;
	int rc = session_serve(s);
	bool counted = s->had_hello;

	for (uint32_t i = 0; i < TB_STREAMS_MAX; i++) {
		if (s->streams[i].fd >= 0)
			close(s->streams[i].fd);
		if (s->data_fds[i] >= 0)
			close(s->data_fds[i]);
		if (s->streams[i].write_fd >= 0 && close(s->streams[i].write_fd) < 0)
			slog(s, "%s", "closing a --write file failed");
	}
	close(s->ctl);
	free(s);
	atomic_fetch_sub(&srv->active, 1);
	/* --once: the first real test decides; strays do not count. */
	if (srv->once && counted)
		atomic_store(&srv->once_status, rc < 0 ? V6_EXIT_RUNTIME : V6_EXIT_OK);
	return NULL;
}

/* A refused client still gets a readable answer: its HELLO is read (so
 * closing does not turn into a reset that eats our ERROR), then the
 * reason is sent.  A thread of its own, bounded in time and number. */
#define TB_REFUSING_MAX 64
static atomic_uint refusing;

struct refusal {
	int fd;
	char why[80];
};

static void *refuse_main(void *arg)
{
	struct refusal *r = arg;
	uint8_t buf[TB_HDR_LEN];

	if (tb_read_full(r->fd, buf, sizeof(buf), 2000) == 0)
		tb_ctl_send_error(r->fd, TB_ERR_BUSY, r->why);
	shutdown(r->fd, SHUT_WR);
	while (tb_read_full(r->fd, buf, 1, 1000) == 0) {
		/* drain until the client closes or goes quiet */
	}
	close(r->fd);
	free(r);
	atomic_fetch_sub(&refusing, 1);
	return NULL;
}

static void refuse(int fd, const char *why)
{
	struct refusal *r = calloc(1, sizeof(*r));
	pthread_attr_t attr;
	pthread_t th;

	if (!r || atomic_fetch_add(&refusing, 1) >= TB_REFUSING_MAX) {
		atomic_fetch_sub(&refusing, r ? 1 : 0);
		free(r);
		close(fd);
		return;
	}
	r->fd = fd;
	snprintf(r->why, sizeof(r->why), "%s", why);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, refuse_main, r) != 0) {
		close(fd);
		free(r);
		atomic_fetch_sub(&refusing, 1);
	}
	pthread_attr_destroy(&attr);
}

static int listen_on(const char *bind_addr, uint32_t port, struct v6_err *err)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int rc, one = 1, zero = 0;

	if (bind_addr) {
		if ((rc = tb_resolve(bind_addr, (uint16_t)port, AF_UNSPEC, &ss, &sl, err)) < 0)
			return rc;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons((uint16_t)port);
		sl = sizeof(*a);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return v6_err_set(err, -errno, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!bind_addr) /* [::] takes IPv4 clients too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
		rc = -errno;
		close(fd);
		return v6_err_set(err, rc, "listen on %s port %u: %s", bind_addr ? bind_addr : "::",
				  port, strerror(-rc));
	}
	return fd;
}

static int serve(struct server *srv, int lfd)
{
	for (;;) {
		if (srv->once && atomic_load(&srv->once_status) >= 0)
			return atomic_load(&srv->once_status);
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, 200) <= 0)
			continue;
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC);
		if (fd < 0)
			continue; /* ECONNABORTED, EMFILE...: keep serving */
		if (atomic_load(&srv->active) >= (srv->once ? 1 : srv->max_clients)) {
			refuse(fd, "server busy: too many clients");
			continue;
		}
		struct session *s = calloc(1, sizeof(*s));
		if (!s) {
			refuse(fd, "server out of memory");
			continue;
		}
		s->srv = srv;
		s->ctl = fd;
		s->id = atomic_fetch_add(&srv->next_session, 1);
		for (uint32_t i = 0; i < TB_STREAMS_MAX; i++)
			s->streams[i].fd = s->streams[i].write_fd = s->data_fds[i] = -1;
		s->peer_addr = peer;
		tb_sockaddr_str((struct sockaddr *)&peer, s->peer, sizeof(s->peer));
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		atomic_fetch_add(&srv->active, 1);
		pthread_attr_t attr;
		pthread_t th;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &attr, session_main, s) != 0) {
			atomic_fetch_sub(&srv->active, 1);
			free(s);
			close(fd);
		}
		pthread_attr_destroy(&attr);
	}
}

int tb_cmd_server(struct v6_cli *cli, int argc, char **argv)
{
	enum { OPT_ONCE = 256, OPT_MAX, OPT_WRITE };
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'B' },
		{ "port", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "max-clients", required_argument, NULL, OPT_MAX },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct server srv;
	const char *bind_addr = NULL;
	uint32_t port = TB_DEFAULT_PORT;
	struct v6_err err;
	struct v6_emit e;
	int c, rc = 0;

	srv.max_clients = 16;
	optind = 0;
	while ((c = getopt_long(argc, argv, "B:p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'B': bind_addr = optarg; break;
		case 'p': rc = v6_parse_u32(optarg, 1, 65535, &port, "port", &err); break;
		case OPT_ONCE: srv.once = true; break;
		case OPT_MAX: rc = v6_parse_u32(optarg, 1, 1024, &srv.max_clients, "max-clients", &err); break;
		case OPT_WRITE: srv.write_dir = optarg; break;
		case 'j': cli->json = true; break;
		case 'h': fputs(tb_usage, stdout); return V6_EXIT_OK;
		default: return v6_cli_usage_error(tb_usage, NULL);
		}
		if (rc < 0) {
			v6_cli_error("%s", err.msg);
			return V6_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return v6_cli_usage_error(tb_usage, "server: unexpected '%s'", argv[optind]);
	if (srv.write_dir) {
		if (strlen(srv.write_dir) > TB_WRITE_PATH_MAX) {
			v6_cli_error("--write: directory name longer than %u bytes", TB_WRITE_PATH_MAX);
			return V6_EXIT_USAGE;
		}
		int dfd = open(srv.write_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0) {
			v6_cli_error("--write: '%s': %s", srv.write_dir, strerror(errno));
			return V6_EXIT_USAGE;
		}
		close(dfd);
	}
	if ((rc = v6_cli_enter_netns(cli)))
		return rc;
	/* A peer that vanishes must cost an error code, never the process. */
	signal(SIGPIPE, SIG_IGN);
	int lfd = listen_on(bind_addr, port, &err);
	if (lfd < 0) {
		v6_cli_error("%s", err.msg);
		return v6_cli_status(lfd);
	}
	v6_cli_emit_init(cli, &e);
	srv.e = &e;
	atomic_store(&srv.next_session, 1);
	atomic_store(&srv.once_status, -1);
	v6_emit_object_open(&e, NULL);
	v6_emit_str(&e, "event", NULL, "listening");
	v6_emit_str(&e, "address", "Server listening on %s", bind_addr ? bind_addr : "::");
	v6_emit_u64(&e, "port", " TCP port %llu\n", port);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	fflush(stdout);
	return serve(&srv, lfd);
}
