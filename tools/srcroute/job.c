/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One srcroute transaction: lock, read, plan, execute. */
#include "srcroute.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/socket.h>

/* A device that is up may not route yet: its addresses and the routes to
 * the gateway come a moment later (tun6in4 adds them after setting the
 * link up).  These errors mean "not yet" while --wait lasts. */
static bool not_yet(int rc)
{
	return rc == -EHOSTUNREACH || rc == -ENETUNREACH || rc == -ENETDOWN;
}

static void drain(int fd)
{
	unsigned char buf[8192];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

/* Sleep until links, addresses or routes change, or until the deadline.
 * The failed try's own changes (what it added and rolled back) are
 * already queued: drop them first, or they would wake us at once.  A
 * change that came with them is not lost for long: no sleep is longer
 * than a quarter of a second. */
static void wait_change(struct nl_sock *ev, long long until)
{
	long long left = until - v6_mono_ms();
	struct pollfd pfd = { .fd = nl_socket_get_fd(ev), .events = POLLIN };

	drain(pfd.fd);
	if (left <= 0)
		return;
	if (poll(&pfd, 1, left < 250 ? (int)left : 250) > 0)
		drain(pfd.fd);
}

static int plan_once(struct v6_nl *nl, const struct sr_job *job, struct sr_state *st,
		     struct sr_plan *plan, struct v6_err *err)
{
	int rc;

	memset(plan, 0, sizeof(*plan));
	if ((rc = sr_state_read(nl, job->family, st, err)) < 0)
		return rc;
	if (!job->remove)
		return sr_plan_build(nl, job->conf, st, job->scope, job->family, job->flags, plan,
				     err);
	if ((rc = v6_rtnames_load(&plan->names, v6_iproute2_dir(), err)) < 0)
		return rc;
	return sr_plan_remove(st, job->from, job->scope, plan, err);
}

static int run_once(struct v6_nl *nl, const struct sr_job *job, struct sr_plan *plan,
		    struct v6_err *err);

int sr_run_job(struct v6_nl *nl, const struct sr_job *job, struct sr_plan *plan,
	       struct v6_err *err)
{
	struct nl_sock *ev = NULL;
	int rc;

	/* Subscribe before the first try, so no change slips between. */
	if (job->wait_until && !job->dry_run && (ev = nl_socket_alloc())) {
		if (nl_connect(ev, NETLINK_ROUTE) < 0 ||
		    nl_socket_add_memberships(ev, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					      RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
					      RTNLGRP_IPV6_ROUTE, 0) < 0) {
			nl_socket_free(ev);
			ev = NULL;
		} else {
			nl_socket_set_nonblocking(ev);
		}
	}
	for (;;) {
		rc = run_once(nl, job, plan, err);
		if (!ev || !not_yet(rc))
			break;
		if (v6_mono_ms() >= job->wait_until) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, " (still so when --wait ran out)");
			break;
		}
		sr_plan_free(plan);
		wait_change(ev, job->wait_until);
	}
	if (ev)
		nl_socket_free(ev);
	return rc;
}

static int run_once(struct v6_nl *nl, const struct sr_job *job, struct sr_plan *plan,
		    struct v6_err *err)
{
	struct sr_state st = { 0 };
	int lock = -1, rc;

	/* Planning reads what other runs change: one run at a time, from the
	 * first read to the last write (table ids, names, owners). */
	if (!job->dry_run && (lock = sr_lock(err)) < 0)
		return lock;
	rc = plan_once(nl, job, &st, plan, err);
	if (rc == 0 && job->dry_run && job->after)
		*job->after = sr_stamp_after(&st, plan, job->scope ? job->scope : SR_OWNER_FILE);
	if (rc == 0 && !job->dry_run) {
		rc = sr_plan_exec(nl, job->conf, plan, &st,
				  job->scope ? job->scope : SR_OWNER_FILE, err);
		/* tun6in4 does not take our lock: a default route it added
		 * between our read and our write is seen on a second look,
		 * where it either serves the entry or names the conflict. */
		if (rc == -EEXIST) {
			sr_state_free(&st);
			sr_plan_free(plan);
			rc = plan_once(nl, job, &st, plan, err);
			if (rc == 0)
				rc = sr_plan_exec(nl, job->conf, plan, &st,
						  job->scope ? job->scope : SR_OWNER_FILE, err);
		}
		if (rc == 0 && job->after)
			*job->after = sr_stamp_after(&st, plan,
						     job->scope ? job->scope : SR_OWNER_FILE);
	}
	sr_state_free(&st);
	if (lock >= 0)
		close(lock);
	return rc;
}
