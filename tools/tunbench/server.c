/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tunbench server: many clients at once, a thread per client.  Nothing a
 * client sends can stop it: bad, idle or vanished peers end their own
 * session only, with a log line. */
#define _GNU_SOURCE
#include "tunbench.h"
#include "hmac.h"
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct server {
	struct v6_emit *e;
	const char *write_dir;
	int write_dirfd;   /* --write DIR: files are made relative to it */
	int write_sharedfd; /* --write DEVICE or FIFO: every stream shares it */
	uint64_t max_write;
	struct tb_caps caps;
	uint8_t secret[TB_SECRET_MAX];
	size_t secret_len; /* 0: no secret asked for */
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
	_Atomic uint64_t written;     /* --write bytes, against --max-write */
};

/* Log to stderr: one line per event, never fatal. */
static void slog(const struct session *s, const char *fmt, const char *detail)
{
	char msg[1400];
	snprintf(msg, sizeof(msg), fmt, detail);
	v6_cli_error("session %llu from %s: %s", (unsigned long long)s->id, s->peer, msg);
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

/* Accept the client's n data connections.  Greetings are read from every
 * pending connection at once, so a stray connection that sends nothing
 * costs a slot, never the handshake's time; the oldest stray makes room
 * when the slots run out. */
#define TB_PENDING_MAX 16
struct pending {
	int fd;
	size_t got;
	uint8_t g[TB_TCP_GREETING_LEN];
};

static void pending_drop(struct session *s, struct pending *p, uint32_t *np, uint32_t k,
			 const char *why)
{
	slog(s, "dropped a data connection: %s", why);
	close(p[k].fd);
	p[k] = p[--*np];
}

static int accept_streams(struct session *s, int lfd, uint64_t cookie, uint32_t n)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)TB_HANDSHAKE_MS * 1000000;
	struct pending p[TB_PENDING_MAX];
	struct pollfd pf[TB_PENDING_MAX + 1];
	uint32_t have = 0, np = 0;
	int rc = 0;

	while (have < n) {
		uint64_t now = tb_now_ns();
		if (now >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		pf[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (uint32_t k = 0; k < np; k++)
			pf[k + 1] = (struct pollfd){ .fd = p[k].fd, .events = POLLIN };
		if (poll(pf, np + 1, (int)((deadline - now) / 1000000) + 1) <= 0)
			continue;
		/* Greetings first: pf[] indexes shift as entries leave, so walk
		 * backwards (pending_drop moves the last entry into the gap). */
		for (uint32_t k = np; k-- > 0;) {
			if (!pf[k + 1].revents)
				continue;
			ssize_t r = recv(p[k].fd, p[k].g + p[k].got, sizeof(p[k].g) - p[k].got,
					 MSG_DONTWAIT);
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				pending_drop(s, p, &np, k, "closed before its greeting");
				continue;
			}
			p[k].got += (size_t)r;
			if (p[k].got < sizeof(p[k].g))
				continue;
			uint32_t idx;
			if (tb_greeting_decode(p[k].g, cookie, n, &idx) < 0 || s->streams[idx].fd >= 0) {
				pending_drop(s, p, &np, k, "bad greeting");
				continue;
			}
			s->streams[idx].fd = p[k].fd;
			p[k] = p[--np];
			have++;
		}
		if (!(pf[0].revents & POLLIN))
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (np == TB_PENDING_MAX)
			pending_drop(s, p, &np, 0, "too many without a greeting");
		p[np++] = (struct pending){ .fd = fd };
	}
	for (uint32_t k = 0; k < np; k++)
		close(p[k].fd);
	return rc;
}

/* A --write file that nobody can redirect: created new (O_EXCL) relative
 * to the directory opened at start, never through a symlink or onto a
 * file that already exists (a planted link or hard link fails the test
 * instead of receiving client data). */
static int open_store(struct session *s, uint32_t i)
{
	struct server *srv = s->srv;
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (srv->write_sharedfd >= 0) {
		snprintf(s->names[i], sizeof(s->names[i]), "%s", srv->write_dir);
		return srv->write_sharedfd;
	}
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(s->names[i], sizeof(s->names[i]), "tunbench-%s-%llu-%u.dat", stamp,
		 (unsigned long long)s->id, i + 1);
	return openat(srv->write_dirfd, s->names[i],
		      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

static int session_setup(struct session *s, const struct tb_msg *hello)
{
	struct server *srv = s->srv;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	bool udp = hello->proto == TB_UDP, reverse = hello->flags & TB_F_REVERSE;
	uint32_t n = hello->streams, total = hello->flags & TB_F_BIDIR ? 2 * n : n;
	uint64_t cookie = tb_random64();
	static __thread struct tb_msg acc;
	struct v6_err err;
	int rc;

	if (getsockname(s->ctl, (struct sockaddr *)&local, &ll) < 0)
		return -errno;
	memset(&acc, 0, sizeof(acc));
	acc.type = TB_MSG_ACCEPT;
	acc.cookie = cookie;
	acc.nports = total;
	for (uint32_t i = 0; i < total; i++) {
		struct tb_stream *st = &s->streams[i];
		bool rev = reverse || i >= n;
		st->idx = i;
		st->udp = udp;
		st->rev = rev;
		st->sender = rev;
		st->len = hello->len;
		st->rate_bps = hello->rate_bps / n ? hello->rate_bps / n : 1;
		st->pace_bps = udp ? 0 : hello->rate_bps / n;
		st->duration_ns = ((uint64_t)hello->duration_ms + hello->omit_ms) * 1000000;
		st->omit_ns = (uint64_t)hello->omit_ms * 1000000;
		st->tos = hello->tos;
		st->cc = hello->cc[0] ? hello->cc : NULL;
		st->cookie = cookie;
		st->need_hello = udp && rev;
		st->peer = &s->peer_addr;
		if (udp || i == 0) {
			rc = bound_socket(udp ? SOCK_DGRAM : SOCK_STREAM, &local, ll);
			if (rc < 0)
				return rc;
			s->data_fds[i] = rc;
			/* What a client asks for is never forced past rmem_max. */
			tb_set_window(rc, udp && !hello->window ? TB_UDP_BUF_DEFAULT : hello->window,
				      false);
		}
		struct sockaddr_storage a;
		socklen_t al = sizeof(a);
		getsockname(s->data_fds[udp ? i : 0], (struct sockaddr *)&a, &al);
		acc.ports[i] = tb_sockaddr_port((struct sockaddr *)&a);
		if (udp) {
			st->fd = s->data_fds[i];
			s->data_fds[i] = -1;
		}
		if (srv->write_dir && !rev) {
			st->write_fd = open_store(s, i);
			if (st->write_fd < 0) {
				rc = -errno;
				char what[TB_WRITE_PATH_MAX + 80];
				snprintf(what, sizeof(what), "--write %s/%s: %s", srv->write_dir,
					 s->names[i], strerror(errno));
				slog(s, "%s", what);
				return rc;
			}
			st->write_nosync = srv->write_sharedfd >= 0;
			st->write_path = s->names[i];
			st->write_used = &s->written;
			/* --max-write guards the disk: a device or pipe has none. */
			st->write_cap = srv->write_sharedfd >= 0 ? 0 : srv->max_write;
		}
	}
	if ((rc = tb_ctl_send(s->ctl, &acc, &err)) < 0)
		return rc;
	if (!udp) {
		rc = accept_streams(s, s->data_fds[0], cookie, total);
		if (rc < 0)
			return rc;
		for (uint32_t i = 0; i < total; i++)
			tb_set_window(s->streams[i].fd, hello->window, false);
	}
	s->run.ctl = s->ctl;
	s->run.udp = udp;
	s->run.bidir = hello->flags & TB_F_BIDIR;
	s->run.wrote = srv->write_dir && !reverse;
	s->run.n = total;
	s->run.interval_ms = 1000;
	s->run.duration_ns = ((uint64_t)hello->duration_ms + hello->omit_ms) * 1000000;
	s->run.omit_ns = (uint64_t)hello->omit_ms * 1000000;
	s->run.session = s->id;
	s->run.streams = s->streams;
	v6_emit_init(&s->emit, srv->e->out, srv->e->mode);
	s->run.e = &s->emit;
	s->run.role = "server";
	return 0;
}

/* With a secret: a fresh nonce, and the client must answer with
 * HMAC-SHA256(secret, label || nonce).  The secret never crosses the wire
 * and a recorded answer is worthless for the next nonce. */
static int authenticate(struct session *s, struct tb_msg *m)
{
	struct server *srv = s->srv;
	uint8_t nonce[TB_NONCE_LEN], want[TB_AUTH_LEN];
	struct v6_err err;
	int rc;

	if (!srv->secret_len)
		return 0;
	for (size_t i = 0; i < sizeof(nonce); i += 8) {
		uint64_t r = tb_random64();
		memcpy(nonce + i, &r, 8);
	}
	memset(m, 0, sizeof(*m));
	m->type = TB_MSG_CHALLENGE;
	memcpy(m->nonce, nonce, sizeof(nonce));
	if ((rc = tb_ctl_send(s->ctl, m, &err)) < 0)
		return rc;
	rc = tb_ctl_recv(s->ctl, m, TB_HANDSHAKE_MS, &err);
	if (rc == 0 && m->type != TB_MSG_AUTH)
		rc = v6_err_set(&err, -EACCES, "expected AUTH, got %s", tb_msg_type_name(m->type));
	tb_auth_proof(srv->secret, srv->secret_len, nonce, want);
	if (rc == 0 && !tb_equal_ct(m->auth, want, sizeof(want)))
		rc = v6_err_set(&err, -EACCES, "wrong shared secret");
	if (rc < 0) {
		slog(s, "authentication failed: %s", err.msg);
		tb_ctl_send_error(s->ctl, TB_ERR_AUTH, "authentication failed: the shared secret "
				  "(--secret-file) does not match the server's");
		return -EACCES;
	}
	return 0;
}

/* The congestion control a client asks for must be one the kernel lets
 * anybody use: as root, another name would make it load a module on a
 * remote client's request. */
static int cc_allowed(const char *cc, struct v6_err *err)
{
	return cc[0] ? tb_cc_allowed(cc, err) : 0;
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
		/* Whatever the client got wrong, it hears why (a timeout or a
		 * closed connection has nobody left to tell). */
		if (rc != -ETIMEDOUT && rc != -EPIPE)
			tb_ctl_send_error(s->ctl, TB_ERR_BAD_REQUEST, rc < 0 ? err.msg : "expected HELLO");
		return rc < 0 ? rc : -EPROTO;
	}
	static __thread struct tb_msg req;
	req = *hello;
	if ((rc = authenticate(s, hello)) < 0)
		return rc;
	*hello = req;
	/* A real test from here: an unauthenticated stranger cannot end a
	 * --once server. */
	s->had_hello = true;
	if ((rc = tb_hello_admit(hello, &s->srv->caps, &err)) < 0 ||
	    (rc = cc_allowed(hello->cc, &err)) < 0) {
		slog(s, "refused: %s", err.msg);
		tb_ctl_send_error(s->ctl, TB_ERR_POLICY, err.msg);
		return rc;
	}
	char what[160];
	snprintf(what, sizeof(what), "%s, %u stream%s, %u ms%s%s", hello->proto == TB_UDP ? "UDP" : "TCP",
		 hello->streams, hello->streams > 1 ? "s" : "", hello->duration_ms,
		 hello->flags & TB_F_REVERSE ? ", reverse" : "",
		 hello->flags & TB_F_BIDIR ? ", bidirectional" : "");
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
		if (s->streams[i].write_fd >= 0 && s->streams[i].write_fd != srv->write_sharedfd &&
		    close(s->streams[i].write_fd) < 0)
			slog(s, "%s", "closing a --write file failed");
	}
	if (rc < 0)
		tb_ctl_linger_close(s->ctl);
	else
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

/* --write TARGET: a directory gets a new file per stream; a character
 * device (/dev/null) or a FIFO is opened once and shared by every stream
 * (a pipe's reader sees the streams interleaved). */
static int open_write_target(struct server *srv)
{
	struct stat st;
	int fd = open(srv->write_dir, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		srv->write_dirfd = fd;
		return 0;
	}
	close(fd);
	if (!S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		v6_cli_error("--write: '%s': neither a directory, a device nor a pipe", srv->write_dir);
		return -EINVAL;
	}
	/* A FIFO without a reader would block the open: refuse instead. */
	fd = open(srv->write_dir, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		goto fail;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	srv->write_sharedfd = fd;
	return 0;
fail:
	v6_cli_error("--write: '%s': %s", srv->write_dir,
		     errno == ENXIO ? "a pipe without a reader" : strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

int tb_cmd_server(struct v6_cli *cli, int argc, char **argv)
{
	enum { OPT_ONCE = 256, OPT_MAX, OPT_WRITE, OPT_MAX_RATE, OPT_MAX_TIME, OPT_MAX_STREAMS,
	       OPT_MAX_WINDOW, OPT_MAX_WRITE, OPT_NO_TOS, OPT_SECRET };
	static const struct option opts[] = {
		{ "bind", required_argument, NULL, 'B' },
		{ "port", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "max-clients", required_argument, NULL, OPT_MAX },
		{ "max-rate", required_argument, NULL, OPT_MAX_RATE },
		{ "max-time", required_argument, NULL, OPT_MAX_TIME },
		{ "max-streams", required_argument, NULL, OPT_MAX_STREAMS },
		{ "max-window", required_argument, NULL, OPT_MAX_WINDOW },
		{ "max-write", required_argument, NULL, OPT_MAX_WRITE },
		{ "no-tos", no_argument, NULL, OPT_NO_TOS },
		{ "secret-file", required_argument, NULL, OPT_SECRET },
		{ "write", required_argument, NULL, OPT_WRITE },
		{ NULL, 0, NULL, 0 },
	};
	static struct server srv;
	const char *bind_addr = NULL, *secret_file = NULL;
	uint32_t port = TB_DEFAULT_PORT;
	uint64_t v;
	struct v6_err err;
	struct v6_emit e;
	int c, rc = 0;

	srv.max_clients = 16;
	/* Defaults for a server on a public address: a test an iperf3 user
	 * would run, not a day of traffic at any rate. */
	srv.caps = (struct tb_caps){ .max_rate_bps = TB_SERVER_MAX_RATE,
				     .max_duration_ms = TB_SERVER_MAX_MS,
				     .max_streams = TB_SERVER_MAX_STREAMS,
				     .max_window = TB_SERVER_MAX_WINDOW, .allow_tos = true };
	srv.max_write = TB_SERVER_MAX_WRITE;
	srv.write_dirfd = srv.write_sharedfd = -1;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":B:p:J", opts, NULL)) != -1) {
		switch (c) {
		case 'B': bind_addr = optarg; break;
		case 'p': rc = v6_parse_u32(optarg, 1, 65535, &port, "port", &err); break;
		case OPT_ONCE: srv.once = true; break;
		case OPT_MAX: rc = v6_parse_u32(optarg, 1, 1024, &srv.max_clients, "max-clients", &err); break;
		case OPT_MAX_RATE: rc = tb_parse_rate(optarg, &srv.caps.max_rate_bps, &err); break;
		case OPT_MAX_TIME: rc = tb_parse_secs(optarg, 100, TB_DURATION_MAX_MS,
						      &srv.caps.max_duration_ms, "max-time", &err); break;
		case OPT_MAX_STREAMS: rc = v6_parse_u32(optarg, 1, TB_STREAMS_MAX,
							&srv.caps.max_streams, "max-streams", &err); break;
		case OPT_MAX_WINDOW:
			rc = tb_parse_size(optarg, 1, TB_WINDOW_MAX, &v, "max-window", &err);
			srv.caps.max_window = (uint32_t)v;
			break;
		case OPT_MAX_WRITE: rc = tb_parse_size(optarg, 1, 1ull << 50, &srv.max_write,
						       "max-write", &err); break;
		case OPT_NO_TOS: srv.caps.allow_tos = false; break;
		case OPT_SECRET: secret_file = optarg; break;
		case OPT_WRITE: srv.write_dir = optarg; break;
		case 'J': cli->json = true; break; /* iperf3's spelling of -j */
		default: return v6_cli_bad_option(cli, c, argv);
		}
		if (rc < 0)
			return v6_cli_usage(cli, "%s", err.msg);
	}
	if (optind != argc)
		return v6_cli_usage(cli, "unexpected '%s'", argv[optind]);
	if (secret_file && tb_read_secret(secret_file, srv.secret, &srv.secret_len, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (srv.write_dir) {
		if (strlen(srv.write_dir) > TB_WRITE_PATH_MAX) {
			v6_cli_error("--write: name longer than %u bytes", TB_WRITE_PATH_MAX);
			return V6_EXIT_USAGE;
		}
		if (open_write_target(&srv) < 0)
			return V6_EXIT_USAGE;
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
