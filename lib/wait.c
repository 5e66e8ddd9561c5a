/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Waiting for links and addresses by listening to netlink events: we
 * subscribe first, then look, so no change can slip between the two. */
#include "v6nl.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/socket.h>

/* check() returns 1 when satisfied, 0 to keep waiting, < 0 on error.
 * Links and addresses wake it, and also routes with routes set. */
static int wait_events(struct v6_nl *nl, int (*check)(struct v6_nl *, void *, struct v6_err *),
		       void *arg, bool routes, int timeout_ms, struct v6_err *err)
{
	struct nl_sock *ev = nl_socket_alloc();
	long long deadline = v6_mono_ms() + timeout_ms;
	int rc;

	if (!ev)
		return v6_err_set(err, -ENOMEM, "out of memory");
	if ((rc = nl_connect(ev, NETLINK_ROUTE)) < 0 ||
	    (rc = nl_socket_add_memberships(ev, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					    RTNLGRP_IPV6_IFADDR, 0)) < 0 ||
	    (routes && (rc = nl_socket_add_membership(ev, RTNLGRP_IPV4_ROUTE)) < 0)) {
		nl_socket_free(ev);
		return v6_err_set(err, v6_nle_to_errno(rc), "netlink events: %s", nl_geterror(rc));
	}
	nl_socket_set_nonblocking(ev);
	for (;;) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(ev), .events = POLLIN };
		int left;

		if ((rc = check(nl, arg, err)) != 0)
			break;
		left = timeout_ms < 0 ? -1 : (int)(deadline - v6_mono_ms());
		if (timeout_ms >= 0 && left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
			rc = v6_err_set(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		/* Drain; the next check() reads the state itself.  ENOBUFS
		 * (missed events) is harmless for the same reason. */
		for (;;) {
			unsigned char buf[8192];
			if (recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT) < 0 && errno != ENOBUFS)
				break;
		}
	}
	nl_socket_free(ev);
	return rc < 0 ? rc : 0;
}

struct link_want {
	const char *name;
	enum v6_link_want want;
};

static int link_check(struct v6_nl *nl, void *arg, struct v6_err *err)
{
	struct link_want *lw = arg;
	struct v6_link l;
	int rc = v6_link_by_name(nl, lw->name, &l, err);

	if (rc == -ENODEV)
		return 0;
	if (rc < 0)
		return rc;
	switch (lw->want) {
	case V6_LINK_EXISTS: return 1;
	case V6_LINK_UP: return l.up;
	case V6_LINK_RUNNING: return l.up && l.running;
	}
	return 1;
}

int v6_wait_link(struct v6_nl *nl, const char *name, enum v6_link_want want, int timeout_ms,
		 struct v6_err *err)
{
	static const char *const words[] = { "appear", "come up", "be running" };
	struct link_want lw = { name, want };
	int rc = v6_parse_ifname(name, "interface", err);

	if (rc < 0)
		return rc;
	rc = wait_events(nl, link_check, &lw, false, timeout_ms, err);
	if (rc == -ETIMEDOUT)
		return v6_err_set(err, rc, "%s: timed out after %d ms waiting for it to %s", name,
				  timeout_ms, words[want]);
	return rc;
}

struct addr_want {
	int ifindex;
	const struct v6_addr *a;
};

/* The kernel announces a new IPv4 address before it adds the address's
 * route to the local table, and bind() looks there: a socket bound at
 * once may get EADDRNOTAVAIL.  Usable means bindable; that route's own
 * RTM_NEWROUTE (RTNLGRP_IPV4_ROUTE) wakes the wait again. */
static int v4_bindable(const struct v6_addr *a)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = a->v4 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 1; /* no probe: the address is listed, as before */
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno != EADDRNOTAVAIL;
	close(fd);
	return ok;
}

static int addr_check(struct v6_nl *nl, void *arg, struct v6_err *err)
{
	struct addr_want *aw = arg;
	struct v6_ifaddr *v = NULL;
	int n = v6_addr_list(nl, aw->ifindex, aw->a->family, &v, err), rc = 0;

	for (int i = 0; i < n; i++) {
		if (!v6_addr_equal(&v[i].prefix.addr, aw->a))
			continue;
		if (v[i].flags & IFA_F_DADFAILED)
			rc = v6_err_set(err, -EADDRNOTAVAIL,
					"duplicate address detection failed");
		else
			rc = !(v[i].flags & IFA_F_TENTATIVE) &&
			     (aw->a->family != AF_INET || v4_bindable(aw->a));
		break;
	}
	free(v);
	return n < 0 ? n : rc;
}

int v6_wait_addr(struct v6_nl *nl, int ifindex, const struct v6_addr *a, int timeout_ms,
		 struct v6_err *err)
{
	struct addr_want aw = { ifindex, a };
	char buf[V6_ADDRSTRLEN];
	int rc = wait_events(nl, addr_check, &aw, a->family == AF_INET, timeout_ms, err);

	if (rc == -ETIMEDOUT)
		return v6_err_set(err, rc, "%s: timed out after %d ms waiting for it to be usable",
				  v6_addr_str(a, buf, sizeof(buf)), timeout_ms);
	if (rc < 0)
		return v6_err_prefix(err, rc, "%s", v6_addr_str(a, buf, sizeof(buf)));
	return 0;
}
