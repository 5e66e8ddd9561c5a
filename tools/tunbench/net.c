/* Socket plumbing shared by client and server: bounded reads, control
 * messages, addresses. */
#define _GNU_SOURCE
#include "tunbench.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t tb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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

void tb_set_window(int fd, uint32_t window)
{
	int v = (int)window;
	if (!window)
		return;
	/* The FORCE variants pass rmem_max/wmem_max when we are root. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}
