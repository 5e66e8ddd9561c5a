/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket plumbing shared by client and server: bounded reads, control
 * messages, addresses. */
#define _GNU_SOURCE
#include "tunbench.h"
#include "v6sys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

uint64_t tb_now_ns(void)
{
	return (uint64_t)v6_mono_ns();
}

uint64_t tb_random64(void)
{
	uint64_t v = 0;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = tb_now_ns() ^ ((uint64_t)getpid() << 32);
	return v;
}

int tb_resolve(const char *host, uint16_t port, int family, struct sockaddr_storage *ss,
	       socklen_t *len, struct v6_err *err)
{
	struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_STREAM }, *res;
	char ps[8];
	int rc;

	snprintf(ps, sizeof(ps), "%u", port);
	if ((rc = getaddrinfo(host, ps, &hints, &res)) != 0)
		return v6_err_set(err, -EINVAL, "'%s': %s", host, gai_strerror(rc));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

const char *tb_sockaddr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
						 : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
	if (!inet_ntop(sa->sa_family, a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

uint16_t tb_sockaddr_port(const struct sockaddr *sa)
{
	return ntohs(sa->sa_family == AF_INET6 ? ((const struct sockaddr_in6 *)sa)->sin6_port
					       : ((const struct sockaddr_in *)sa)->sin_port);
}

void tb_sockaddr_set_port(struct sockaddr *sa, uint16_t port)
{
	if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

static int wait_fd(int fd, short ev, uint64_t deadline)
{
	for (;;) {
		uint64_t now = tb_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = fd, .events = ev };
		int rc = poll(&p, 1, (int)((deadline - now) / 1000000 + 1));
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -errno;
	}
}

int tb_read_full(int fd, void *buf, size_t n, int timeout_ms)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)timeout_ms * 1000000;
	size_t got = 0;

	while (got < n) {
		int rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			return rc;
		ssize_t r = recv(fd, (char *)buf + got, n - got, MSG_DONTWAIT);
		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

int tb_write_full(int fd, const void *buf, size_t n, int timeout_ms)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)timeout_ms * 1000000;
	size_t put = 0;

	while (put < n) {
		int rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
		ssize_t w = send(fd, (const char *)buf + put, n - put, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		put += (size_t)w;
	}
	return 0;
}

int tb_ctl_recv(int fd, struct tb_msg *m, int timeout_ms, struct v6_err *err)
{
	uint8_t buf[TB_MSG_MAX], version, type;
	uint32_t plen;
	int rc;

	if ((rc = tb_read_full(fd, buf, TB_HDR_LEN, timeout_ms)) < 0)
		return v6_err_set(err, rc, "%s", rc == -ETIMEDOUT ? "timed out"
					  : rc == -EPIPE ? "connection closed by peer" : strerror(-rc));
	if ((rc = tb_hdr_decode(buf, TB_HDR_LEN, &version, &type, &plen, err)) < 0)
		return rc;
	if (version != TB_PROTO_VERSION)
		return v6_err_set(err, -EPROTONOSUPPORT,
				  "peer speaks protocol version %u, this tunbench speaks %u: "
				  "run the same tunbench version on both ends",
				  version, TB_PROTO_VERSION);
	if ((rc = tb_read_full(fd, buf + TB_HDR_LEN, plen, timeout_ms)) < 0)
		return v6_err_set(err, rc, "truncated message: %s", strerror(-rc));
	return tb_msg_decode(buf, TB_HDR_LEN + plen, m, err);
}

int tb_ctl_peek_server(int fd, int timeout_ms, enum tb_server_kind *kind, struct v6_err *err)
{
	uint64_t deadline = tb_now_ns() + (uint64_t)timeout_ms * 1000000;
	uint8_t buf[2];
	ssize_t have = -1;

	for (;;) {
		int rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			return v6_err_set(err, rc, "%s", rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
		/* Peeked, so the first message is still read whole after. */
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
		if (r == 0)
			return v6_err_set(err, -EPIPE, "connection closed by peer");
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return v6_err_set(err, -errno, "%s", strerror(errno));
		}
		*kind = tb_server_greeting_classify(buf, (size_t)r);
		if (*kind != TB_SERVER_MORE)
			return 0;
		/* Readable all along while the second byte is on its way. */
		if (r == have)
			poll(NULL, 0, 10);
		have = r;
	}
}

int tb_ctl_send(int fd, const struct tb_msg *m, struct v6_err *err)
{
	uint8_t buf[TB_MSG_MAX];
	int n = tb_msg_encode(m, buf, sizeof(buf), err);

	if (n < 0)
		return n;
	int rc = tb_write_full(fd, buf, (size_t)n, 5000);
	if (rc < 0)
		return v6_err_set(err, rc, "sending %s: %s", tb_msg_type_name(m->type), strerror(-rc));
	return 0;
}

int tb_ctl_send_error(int fd, uint32_t code, const char *text)
{
	static __thread struct tb_msg m;
	struct v6_err err;

	memset(&m, 0, sizeof(m));
	m.type = TB_MSG_ERROR;
	m.code = code;
	snprintf(m.text, sizeof(m.text), "%s", text);
	/* Keep the text printable whatever it quotes. */
	for (char *p = m.text; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			*p = '?';
	return tb_ctl_send(fd, &m, &err);
}

void tb_set_window(int fd, uint32_t window, bool force)
{
	int v = (int)window;
	if (!window)
		return;
	/* The FORCE variants pass rmem_max/wmem_max when we are root: only
	 * for sizes our own user chose, never for what a remote client asks
	 * of a server (the kernel then caps it at the system's limit). */
	if (!force || setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (!force || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

void tb_ctl_linger_close(int fd)
{
	char buf[4096];
	uint64_t deadline = tb_now_ns() + 1000000000u;
	size_t drained = 0;

	/* Unread bytes at close() make the kernel send a reset, which can
	 * destroy the ERROR we just sent before the peer reads it: read what
	 * is left (bounded in time and bytes) after our FIN. */
	shutdown(fd, SHUT_WR);
	while (drained < (1u << 20)) {
		uint64_t now = tb_now_ns();
		if (now >= deadline)
			break;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
			break;
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r <= 0)
			break;
		drained += (size_t)r;
	}
	close(fd);
}

int tb_read_secret(const char *path, uint8_t *buf, size_t *len, struct v6_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return v6_err_set(err, -errno, "secret file '%s': %s", path, strerror(errno));
	for (;;) {
		ssize_t r = read(fd, buf + n, TB_SECRET_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int rc = -errno;
			close(fd);
			return v6_err_set(err, rc, "secret file '%s': %s", path, strerror(-rc));
		}
		if (r == 0 || (n += (size_t)r) > TB_SECRET_MAX)
			break;
	}
	close(fd);
	if (n > TB_SECRET_MAX)
		return v6_err_set(err, -EINVAL, "secret file '%s': longer than %u bytes", path,
				  TB_SECRET_MAX);
	/* One line as an editor writes it: the newline is not the secret. */
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	if (!n)
		return v6_err_set(err, -EINVAL, "secret file '%s': empty", path);
	*len = n;
	return 0;
}

int tb_cc_allowed(const char *name, struct v6_err *err)
{
	static const char path[] = "/proc/sys/net/ipv4/tcp_allowed_congestion_control";
	char list[512], copy[512];
	FILE *f = fopen(path, "re");

	if (!tb_cc_name_ok(name))
		return v6_err_set(err, -EINVAL, "congestion control '%s': not a valid name", name);
	if (!f)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	if (!fgets(list, sizeof(list), f))
		list[0] = 0;
	fclose(f);
	list[strcspn(list, "\n")] = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *save, *tok = strtok_r(list, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return 0;
	return v6_err_set(err, -EPERM,
			  "congestion control '%s' is not allowed here (tcp_allowed_congestion_control: %s)",
			  name, copy[0] ? copy : "none");
}

void tb_cpu_mark(struct tb_cpu_mark *m)
{
	struct rusage ru;
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "re");

	memset(m, 0, sizeof(*m));
	m->wall_ns = tb_now_ns();
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		m->user_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
		m->sys_us = (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	}
	if (!f)
		return;
	/* proc(5): cpu user nice system idle iowait irq softirq steal ... */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8) {
		for (int i = 0; i < 8; i++)
			m->total_ticks += v[i];
		m->busy_ticks = m->total_ticks - v[3] - v[4]; /* idle and iowait are not busy */
	}
	fclose(f);
}

static uint32_t centi(double share)
{
	double v = share * 10000.0;
	return v <= 0 ? 0 : v >= TB_CPU_MAX ? TB_CPU_MAX : (uint32_t)(v + 0.5);
}

void tb_cpu_since(const struct tb_cpu_mark *a, const struct tb_cpu_mark *b, struct tb_cpu *c)
{
	double wall_us = (double)(b->wall_ns - a->wall_ns) / 1000.0;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	c->ncpus = n > 0 ? (uint32_t)n : 1;
	if (wall_us > 0) {
		c->user_cp = centi((double)(b->user_us - a->user_us) / wall_us);
		c->system_cp = centi((double)(b->sys_us - a->sys_us) / wall_us);
	}
	if (b->total_ticks > a->total_ticks) {
		uint32_t m = centi((double)(b->busy_ticks - a->busy_ticks) /
				   (double)(b->total_ticks - a->total_ticks));
		c->machine_cp = m > 10000 ? 10000 : m;
	}
}
