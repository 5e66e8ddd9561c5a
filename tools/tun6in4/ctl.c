/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The channel between `change` and a running user-mode daemon: a Unix
 * seqpacket socket NAME.ctl in the tunnel's state directory, made by the
 * daemon while it is still root, mode 0600, so only root's tun6in4 can
 * connect.  One request, one answer, on a connection of its own: nobody
 * else is ever signalled, and the answer cannot reach another process. */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int ctl_addr(const char *name, struct sockaddr_un *sa, struct v6_err *err)
{
	char path[4200];
	int rc = t64_state_path(name, "ctl", path, sizeof(path), err);

	if (rc < 0)
		return rc;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return v6_err_set(err, -ENAMETOOLONG, "%s: path too long for a socket", path);
	strcpy(sa->sun_path, path);
	return 0;
}

int t64_ctl_listen(const char *name, struct v6_err *err)
{
	struct sockaddr_un sa;
	int fd, rc = ctl_addr(name, &sa, err);

	if (rc < 0)
		return rc;
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0)
		return v6_err_set(err, -errno, "control socket: %s", strerror(errno));
	unlink(sa.sun_path);
	mode_t old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(fd, 4) < 0) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "%s: %s", sa.sun_path, strerror(e));
	}
	return fd;
}

int t64_ctl_request(const char *name, const char *req, int pass_fd, char *reply, size_t cap,
		    struct v6_err *err)
{
	struct sockaddr_un sa;
	struct pollfd p;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { (void *)req, strlen(req) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;
	int fd, rc = ctl_addr(name, &sa, err);

	if (rc < 0)
		return rc;
	if (pass_fd >= 0) {
		/* The socket travels with the request (SCM_RIGHTS): made here,
		 * with root's privileges, used by the unprivileged daemon. */
		memset(&ctl, 0, sizeof(ctl));
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
	}
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return v6_err_set(err, -errno, "control socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    sendmsg(fd, &m, MSG_NOSIGNAL) < 0) {
		int e = errno;
		close(fd);
		return v6_err_set(err, -e, "the tunnel daemon does not answer: %s", strerror(e));
	}
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 5000) != 1 || (n = recv(fd, reply, cap - 1, 0)) <= 0) {
		close(fd);
		return v6_err_set(err, -ETIMEDOUT, "the tunnel daemon did not answer");
	}
	close(fd);
	reply[n] = '\0';
	return 0;
}

int t64_ctl_receive(int fd, char *req, size_t cap, int *passed)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { req, cap - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	*passed = -1;
	if (n <= 0)
		return -1;
	req[n] = '\0';
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)) && *passed < 0)
			memcpy(passed, CMSG_DATA(c), sizeof(int));
	return 0;
}
