/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The event loop: NS in on each upstream link, NAs from the probed links,
 * netlink events, the control socket and signals, each handed to its
 * file.  poll() sleeps until the earliest cache deadline and not a moment
 * earlier: an idle ndproxy does not wake up.  Also the setup and the
 * privilege drop before the loop, and the cleanup after it. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"
#include "service.h"

#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

static void shutdown_clean(struct ndp_daemon *d)
{
	v6_service_notify("STOPPING=1");
	while (d->cache.n)
		ndp_drop_entry(d, ndp_cache_earliest(&d->cache));
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		ndp_upstream_close(d, i);
		ndp_claim_release(d->up[i].claim);
	}
	ndp_ctl_close_all(&d->ctl);
	/* Without privileges left, the cleanup helper removes it. */
	if (d->ctl.path[0] && !d->cleanup_helper)
		unlink(d->ctl.path);
	log_info("exiting");
}

static int setup_signals(struct ndp_daemon *d, struct v6_err *err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return v6_err_set(err, -errno, "signalfd: %s", strerror(errno));
	return 0;
}

static struct ndp_status_view status_view(const struct ndp_daemon *d)
{
	return (struct ndp_status_view){
		.instance = d->instance,
		.conf_path = d->conf_path,
		.started = d->started,
		.conf = &d->conf,
		.up = d->up,
		.kernel = &d->net.k,
		.cache = &d->cache,
		.ctr = &d->ctr,
		.link_events = d->net.link_events,
	};
}

static void loop(struct ndp_daemon *d)
{
	struct ndp_status_view status;
	struct pollfd *pfd = NULL;
	size_t cap = 0;

	while (!d->quit) {
		int64_t now = ndp_now_ms(), wake;
		struct ndp_entry *e;
		int timeout = -1;
		size_t n = 0, nfixed;

		ndp_expire(d, now);
		wake = ndp_ctl_deadline(&d->ctl);
		if ((e = ndp_cache_earliest(&d->cache)) && e->deadline < wake)
			wake = e->deadline;
		if (wake != INT64_MAX)
			timeout = wake - now > 3600000 ? 3600000 : wake < now ? 0 : (int)(wake - now);
		if (v6_grow(&pfd, &cap, 4 + d->conf.nproxies + NDP_CTL_CLIENTS, sizeof(*pfd)) < 0)
			fatalx("out of memory");
		pfd[n++] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->net.evfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->rawfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = d->ctl.fd, .events = POLLIN };
		for (size_t i = 0; i < d->conf.nproxies; i++)
			pfd[n++] = (struct pollfd){ .fd = d->up[i].fd, .events = POLLIN };
		nfixed = n;
		ndp_ctl_pollfds(&d->ctl, pfd, &n);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP)
					ndp_reload(d);
				else
					d->quit = true;
			}
			if (d->quit)
				break;
			continue; /* the fd set may have changed */
		}
		if (pfd[1].revents)
			ndp_kernel_event(d);
		if (pfd[2].revents)
			ndp_raw_read(d);
		/* The netlink handler may have closed or reopened sockets. */
		for (size_t i = 0; i < d->conf.nproxies && 4 + i < nfixed; i++)
			if (pfd[4 + i].revents && pfd[4 + i].fd == d->up[i].fd && d->up[i].fd >= 0)
				ndp_upstream_read(d, i);
		/* Clients after packets: a status never delays an answer. */
		status = status_view(d);
		ndp_ctl_io(&d->ctl, &status, pfd + nfixed, n - nfixed, ndp_now_ms());
		if (pfd[3].revents)
			ndp_ctl_accept(&d->ctl, ndp_now_ms());
	}
	free(pfd);
}

/* Fatal before the daemon is ready: the waiting parent prints it. */
#define setup_fatal(status, err) ndp_setup_fail((status), "%s", (err)->msg)

int ndp_daemon_run(struct ndp_conf *conf, const struct ndp_opts *o)
{
	static struct ndp_daemon d;
	bool wire = false, root = getuid() == 0;
	struct v6_err err;
	uint32_t seed = 0;
	int ready_fd = -1, lock_fd = -1;
	char path[300], lock[300], pid_default[300];
	const char *pidfile = o->pidfile;
	char what[120];

	d.conf = *conf;
	d.conf_path = o->conf_path;
	d.instance = o->instance;
	d.net.evfd = d.rawfd = d.ctl.fd = d.sigfd = -1;
	/* stderr until detached: errors before the fork reach the user. */
	log_init("ndproxy", false, o->verbose);
	for (size_t i = 0; i < conf->nwarn; i++)
		log_warnx("%s", conf->warn[i]);
	for (size_t i = 0; i < conf->nproxies; i++)
		wire |= conf->proxies[i].autowire;
	if (!(d.up = calloc(conf->nproxies, sizeof(*d.up))))
		fatalx("out of memory");
	for (size_t i = 0; i < conf->nproxies; i++) {
		d.up[i].fd = -1;
		d.up[i].claim[0] = d.up[i].claim[1] = -1;
	}
	if (getrandom(&seed, sizeof(seed), 0) < 0)
		seed = (uint32_t)time(NULL);
	if (ndp_cache_init(&d.cache, conf->cache_max, seed) < 0)
		fatalx("out of memory");
	d.started = d.probes.at = ndp_now_ms();
	d.probes.tokens = conf->probe_rate;

	/* What can be checked before forking is, so that it fails here. */
	if (root) {
		uid_t uid;
		gid_t gid;
		const char *chosen;
		bool fell_back;
		if (v6_service_user(conf->user, &uid, &gid, &chosen, &fell_back, &err) < 0) {
			log_warnx("%s", err.msg);
			exit(V6_EXIT_USAGE);
		}
	}
	if (o->netns && v6_netns_enter(o->netns, &err) < 0)
		fatalx("%s", err.msg);
	if (ndp_instance_path(path, sizeof(path), o->netns, o->instance, "sock") < 0 ||
	    ndp_instance_path(lock, sizeof(lock), o->netns, o->instance, "lock") < 0 ||
	    ndp_instance_path(pid_default, sizeof(pid_default), o->netns, o->instance, "pid") < 0)
		fatalx("run directory path too long: '%s'", v6_rundir());
	/* In the background a pidfile is the way to find the daemon. */
	if (o->detach && !pidfile)
		pidfile = pid_default;
	if (o->instance)
		snprintf(what, sizeof(what), "ndproxy instance '%s'", o->instance);
	else
		snprintf(what, sizeof(what), "ndproxy (unnamed instance)");
	if (ndp_lock_instance(lock, path, what, &lock_fd, &err) < 0)
		fatalx("%s", err.msg);
	for (size_t i = 0; i < conf->nproxies; i++)
		if (ndp_claim_upstream(conf->proxies[i].iface, o->instance, d.up[i].claim, &err) < 0)
			fatalx("%s", err.msg);

	if (o->detach) {
		if (ndp_daemonize(&ready_fd, &err) < 0)
			fatalx("%s", err.msg);
		log_init("ndproxy", true, o->verbose);
		ndp_setup_pipe(ready_fd);
	}
	if (setup_signals(&d, &err) < 0 || ndp_links_open(&d.net, &err) < 0 ||
	    ndp_raw_open(&d, &err) < 0 ||
	    ndp_ctl_open(&d.ctl, path, &err) < 0)
		setup_fatal(V6_EXIT_RUNTIME, &err);
	v6_service_notify_open();
	if (ndp_unwire_stale(&d.net, &err) < 0)
		log_warnx("stale routes: %s", err.msg);
	if (pidfile && ndp_pidfile_write(pidfile, &err) < 0) {
		unlink(path);
		setup_fatal(V6_EXIT_RUNTIME, &err);
	}
	/* First sockets opened while still root (bigger buffers); ones for
	 * interfaces that appear later need only CAP_NET_RAW. */
	if (ndp_kernel_sync(&d, &err) < 0)
		setup_fatal(V6_EXIT_RUNTIME, &err);
	if (root) {
		uint32_t keep = 1u << CAP_NET_RAW;

		if (ndp_cleanup_helper(path, pidfile, lock_fd, &err) < 0)
			setup_fatal(V6_EXIT_RUNTIME, &err);
		d.cleanup_helper = true;
		if (wire)
			keep |= 1u << CAP_NET_ADMIN;
		if (v6_service_drop(conf->user, keep, &err) < 0)
			setup_fatal(V6_EXIT_RUNTIME, &err);
		log_info("running with CAP_NET_RAW%s", wire ? " and CAP_NET_ADMIN" : "");
		d.can_wire = wire;
	} else {
		d.can_wire = true; /* whatever we have; the kernel decides */
	}
	log_info("started with %zu prox%s%s%s", conf->nproxies, conf->nproxies == 1 ? "y" : "ies",
		 o->instance ? " as instance " : "", o->instance ? o->instance : "");
	v6_service_notify("READY=1");
	ndp_daemon_ready();
	loop(&d);
	shutdown_clean(&d);
	if (pidfile && !d.cleanup_helper)
		unlink(pidfile);
	ndp_cache_free(&d.cache);
	ndp_conf_free(&d.conf);
	free(d.up);
	ndp_links_close(&d.net);
	*conf = (struct ndp_conf){ 0 };
	return 0;
}
