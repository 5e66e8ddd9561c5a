/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy's running state, shared by the daemon's files.  links.c never
 * sees it (links.h); ctl.c is handed a read-only view of it (ctl.h). */
#ifndef NDPROXY_DAEMON_H
#define NDPROXY_DAEMON_H

#include "answer.h"
#include "ctl.h"
#include "kernel.h"
#include "links.h"
#include "ndproxy.h"
#include "v6nl.h"

#include <poll.h>
#include <sys/types.h>

/* Packets per recvmmsg/sendmmsg, and the largest one read. */
#define NDP_BATCH 64
#define NDP_PKT_MAX 2048

struct ndp_counters {
	uint64_t received; /* packets the upstream filters let in */
	uint64_t ns_seen, answered, waiting, probes_sent, probes_answered, probe_timeouts;
	uint64_t routes_wired, routes_removed, evictions, reloads;
	uint64_t invalid[NDP_PKT__N];
	uint64_t skipped[NDP_SKIP__N];
};

struct ndp_upstream {
	int fd;       /* AF_PACKET, -1 while the interface is absent or down */
	int ifindex;  /* what fd is bound to */
	int claim[2]; /* ndp_claim_upstream(): held for the proxy's life */
};

/* What the command line decides about the process. */
struct ndp_opts {
	const char *conf_path; /* NULL: command line; absolute otherwise */
	const char *netns;
	const char *instance; /* NULL: the unnamed instance */
	const char *pidfile;  /* absolute, or NULL */
	bool detach;
	int verbose;
};

struct ndp_daemon {
	struct ndp_conf conf;
	const char *conf_path; /* NULL: command line */
	bool can_wire;         /* CAP_NET_ADMIN kept */
	struct ndp_upstream *up; /* one per conf.proxies */
	struct ndp_netlink net; /* links.c keeps net.k current */
	int rawfd;       /* ICMPv6: probes out, NAs in */
	int sigfd;
	struct ndp_ctl ctl;
	const char *instance;
	bool cleanup_helper; /* it removes ctl_path and the pidfile */
	struct ndp_cache cache;
	struct ndp_bucket probes;
	int64_t started;
	struct ndp_counters ctr;
	bool quit;
};

/* lib's one monotonic clock, under the name the daemon files use. */
static inline int64_t ndp_now_ms(void) { return v6_mono_ms(); }

/* upstream.c: the sockets that follow the upstream links */
void ndp_upstream_close(struct ndp_daemon *d, size_t i);
/* Open or close each upstream socket as its link is up or not, tell
 * links.c which links are listened on, drop entries on missing links. */
void ndp_reconcile(struct ndp_daemon *d);
void ndp_upstream_read(struct ndp_daemon *d, size_t pi);

/* respond.c: one NS, answered, waited on, probed for or counted */
void ndp_handle_ns(struct ndp_daemon *d, size_t pi, const uint8_t *pkt, size_t len,
		   const uint8_t mac[6], int64_t now);
/* NAs wait in one batch, for one sendmmsg per upstream socket. */
void ndp_out_queue(struct ndp_daemon *d, int fd, const struct ndp_na *na);
void ndp_out_flush(struct ndp_daemon *d);

/* probe.c: downstream probes and their answers, the cache's timers */
int ndp_raw_open(struct ndp_daemon *d, struct v6_err *err);
bool ndp_probe(struct ndp_daemon *d, struct ndp_entry *e);
void ndp_raw_read(struct ndp_daemon *d);
void ndp_expire(struct ndp_daemon *d, int64_t now);

/* netevents.c: kernel changes, and the routes we own */
/* Add or remove e's host route (autowire), counted, e->wired kept. */
int ndp_wire(struct ndp_daemon *d, struct ndp_entry *e, bool add);
/* Remove e from the cache, and its route with it. */
void ndp_drop_entry(struct ndp_daemon *d, struct ndp_entry *e);
/* Everything from scratch: links, addresses, sockets, neighbours. */
int ndp_kernel_sync(struct ndp_daemon *d, struct v6_err *err);
void ndp_kernel_event(struct ndp_daemon *d);

/* reload.c: SIGHUP, with systemd's reload notifications */
void ndp_reload(struct ndp_daemon *d);

/* daemon.c */
int ndp_daemon_run(struct ndp_conf *conf, const struct ndp_opts *o);

/* client.c: `ndproxy status`, the other end of the control socket */
int ndp_status_main(const char *sock_path, bool json, bool pretty);

/* sys.c */
int ndp_instance_check(const char *name, struct v6_err *err);
/* $V6KIT_RUNDIR/ndproxy[.NETNS][@INSTANCE].SUFFIX */
int ndp_instance_path(char *buf, size_t len, const char *netns, const char *instance,
		      const char *suffix);
int ndp_daemonize(int *ready_fd, struct v6_err *err);
/* Until ndp_daemon_ready, setup errors go back to the waiting parent. */
void ndp_setup_pipe(int ready_fd);
void ndp_setup_fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void ndp_daemon_ready(void);
int ndp_pidfile_write(const char *path, struct v6_err *err);
int ndp_mkdir_for(const char *path, struct v6_err *err);
int ndp_lock_instance(const char *path, const char *sock_path, const char *what, int *fd_out,
		      struct v6_err *err);
int ndp_claim_upstream(const char *iface, const char *instance, int fds[2], struct v6_err *err);
void ndp_claim_release(int fds[2]);
int ndp_cleanup_helper(const char *ctl_path, const char *pidfile, int lock_fd,
		       struct v6_err *err);


#endif
