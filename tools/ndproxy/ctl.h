/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket (ctl.c): its own clients, and a read-only view of
 * the daemon's state to print for them.  It changes nothing else. */
#ifndef NDPROXY_CTL_H
#define NDPROXY_CTL_H

#include "kernel.h"
#include "ndproxy.h"

#include <poll.h>

/* A control-socket client, served without ever blocking the loop: it has
 * CTL_DEADLINE_MS from connecting to the last byte of its answer. */
#define NDP_CTL_CLIENTS 16
#define NDP_CTL_DEADLINE_MS 2000
#define NDP_CTL_REQ_MAX 512
struct ndp_ctl_client {
	int fd; /* -1: free */
	int64_t deadline;
	size_t inlen, outlen, outoff;
	char in[NDP_CTL_REQ_MAX];
	char *out; /* the answer, once the request is complete */
};

struct ndp_ctl {
	int fd; /* listening, -1 before ndp_ctl_open */
	char path[256];
	struct ndp_ctl_client client[NDP_CTL_CLIENTS];
};

struct ndp_upstream;
struct ndp_counters;

/* What a status shows, all of it read-only. */
struct ndp_status_view {
	const char *instance;  /* NULL: the unnamed one */
	const char *conf_path; /* NULL: the command line */
	int64_t started;       /* ms, ndp_now_ms() */
	const struct ndp_conf *conf;
	const struct ndp_upstream *up; /* one per conf->proxies */
	const struct ndp_kernel *kernel;
	const struct ndp_cache *cache;
	const struct ndp_counters *ctr;
	uint64_t link_events;
};

int ndp_ctl_open(struct ndp_ctl *c, const char *path, struct v6_err *err);
void ndp_ctl_accept(struct ndp_ctl *c, int64_t now);
/* Poll entries for the clients; *n advances.  ndp_ctl_io then handles
 * them (same order), and ndp_ctl_deadline gives the earliest deadline. */
void ndp_ctl_pollfds(const struct ndp_ctl *c, struct pollfd *pfd, size_t *n);
void ndp_ctl_io(struct ndp_ctl *c, const struct ndp_status_view *v, const struct pollfd *pfd,
		size_t n, int64_t now);
int64_t ndp_ctl_deadline(const struct ndp_ctl *c);
void ndp_ctl_close_all(struct ndp_ctl *c);

#endif
