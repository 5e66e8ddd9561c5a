/* The control socket: `ndproxy status` connects, says "json" or "text",
 * and reads the daemon's state printed through the shared emitter, so
 * the text and JSON forms carry the same fields. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define STATUS_MAX_ENTRIES 4096

const char *ndp_rundir(void)
{
	const char *r = getenv("V6KIT_RUNDIR");
	return r && *r ? r : "/run/v6kit";
}

int ndp_ctl_open(struct ndp_daemon *d, const char *path, struct v6_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];

	if (strlen(path) >= sizeof(sa.sun_path))
		return v6_err_set(err, -ENAMETOOLONG, "control socket path too long: '%s'", path);
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	*strrchr(dir, '/') = '\0';
	if (dir[0] && mkdir(dir, 0755) < 0 && errno != EEXIST)
		return v6_err_set(err, -errno, "%s: %s", dir, strerror(errno));
	d->ctlfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->ctlfd < 0)
		return v6_err_set(err, -errno, "control socket: %s", strerror(errno));
	/* A socket that still answers belongs to a running ndproxy. */
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		close(probe);
		return v6_err_set(err, -EADDRINUSE, "%s: another ndproxy is running", path);
	}
	if (probe >= 0)
		close(probe);
	unlink(path);
	mode_t old = umask(0117);
	int rc = bind(d->ctlfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(d->ctlfd, 8) < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	snprintf(d->ctl_path, sizeof(d->ctl_path), "%s", path);
	return 0;
}

static void emit_iface(struct ndp_daemon *d, struct v6_emit *e, const char *name,
		       const char *role, int upstream_fd)
{
	struct ndp_link *l = ndp_link_by_name(d, name);
	char mac[18] = "", ll[V6_ADDRSTRLEN] = "";

	if (l && l->has_mac)
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1],
			 l->mac[2], l->mac[3], l->mac[4], l->mac[5]);
	if (l && l->has_ll)
		inet_ntop(AF_INET6, &l->ll, ll, sizeof(ll));
	v6_emit_object_open(e, NULL);
	v6_emit_str(e, "name", "interface %s", name);
	v6_emit_str(e, "role", " %s", role);
	v6_emit_bool(e, "present", l ? "" : " absent", l != NULL);
	v6_emit_i64(e, "ifindex", l ? " ifindex %lld" : NULL, l ? l->ifindex : 0);
	v6_emit_bool(e, "up", l ? (l->flags & IFF_UP ? " up" : " down") : NULL,
		     l && (l->flags & IFF_UP));
	v6_emit_str(e, "mac", mac[0] ? " %s" : NULL, mac[0] ? mac : NULL);
	v6_emit_str(e, "link_local", ll[0] ? " %s" : NULL, ll[0] ? ll : NULL);
	if (upstream_fd != -2)
		v6_emit_bool(e, "listening", upstream_fd >= 0 ? " listening" : NULL,
			     upstream_fd >= 0);
	v6_emit_text(e, "\n");
	v6_emit_object_close(e);
}

/* Is rule j of proxy i's interface an upstream one, or named by an
 * earlier iface rule? */
static bool iface_listed(const struct ndp_conf *c, size_t i, size_t j)
{
	const char *name = c->proxies[i].rules[j].iface;

	for (size_t a = 0; a < c->nproxies; a++) {
		if (!strcmp(c->proxies[a].iface, name))
			return true;
		for (size_t b = 0; b < c->proxies[a].nrules && (a < i || (a == i && b < j)); b++)
			if (c->proxies[a].rules[b].method == NDP_IFACE &&
			    !strcmp(c->proxies[a].rules[b].iface, name))
				return true;
	}
	return false;
}

static void emit_status(struct ndp_daemon *d, struct v6_emit *e)
{
	char buf[V6_ADDRSTRLEN];
	int64_t now = ndp_now_ms();
	bool text = !v6_emit_json(e);

	v6_emit_object_open(e, NULL);
	v6_emit_i64(e, "pid", "ndproxy pid %lld", getpid());
	v6_emit_str(e, "config", ", config %s", d->conf_path ? d->conf_path : "command line");
	v6_emit_i64(e, "uptime_s", ", up %llds\n", (now - d->started) / 1000);

	/* Every interface the configuration names, whether it exists now or
	 * not: the upstream ones, then each iface-rule one not listed yet. */
	v6_emit_array_open(e, "interfaces");
	for (size_t i = 0; i < d->conf.nproxies; i++)
		emit_iface(d, e, d->conf.proxies[i].iface, "upstream", d->up[i].fd);
	for (size_t i = 0; i < d->conf.nproxies; i++)
		for (size_t j = 0; j < d->conf.proxies[i].nrules; j++)
			if (d->conf.proxies[i].rules[j].method == NDP_IFACE &&
			    !iface_listed(&d->conf, i, j))
				emit_iface(d, e, d->conf.proxies[i].rules[j].iface, "downstream", -2);
	v6_emit_array_close(e);

	v6_emit_array_open(e, "proxies");
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		const struct ndp_proxy *p = &d->conf.proxies[i];
		v6_emit_object_open(e, NULL);
		v6_emit_str(e, "iface", "proxy %s", p->iface);
		v6_emit_i64(e, "ifindex", NULL, d->up[i].ifindex);
		v6_emit_bool(e, "listening", d->up[i].fd >= 0 ? " listening" : " not listening",
			     d->up[i].fd >= 0);
		v6_emit_bool(e, "router", NULL, p->router);
		v6_emit_bool(e, "override", NULL, p->override);
		v6_emit_bool(e, "autowire", p->autowire ? " autowire" : NULL, p->autowire);
		v6_emit_bool(e, "promiscuous", NULL, p->promisc);
		v6_emit_bool(e, "keepalive", NULL, p->keepalive);
		v6_emit_str(e, "na_source", NULL, p->na_src_target ? "target" : "link-local");
		v6_emit_u64(e, "ttl_ms", NULL, p->ttl_ms);
		v6_emit_u64(e, "deadtime_ms", NULL, p->deadtime_ms);
		v6_emit_u64(e, "timeout_ms", NULL, p->timeout_ms);
		v6_emit_u64(e, "retries", NULL, p->retries);
		v6_emit_text(e, "\n");
		v6_emit_array_open(e, "rules");
		for (size_t j = 0; j < p->nrules; j++) {
			const struct ndp_rule *r = &p->rules[j];
			v6_emit_object_open(e, NULL);
			v6_emit_str(e, "prefix", "  rule %s", v6_prefix_str(&r->prefix, buf, sizeof(buf)));
			v6_emit_str(e, "method", " %s", ndp_method_name(r->method));
			v6_emit_str(e, "iface", r->method == NDP_IFACE ? " %s" : NULL,
				    r->method == NDP_IFACE ? r->iface : NULL);
			if (r->method == NDP_IFACE) {
				struct ndp_link *l = ndp_link_by_name(d, r->iface);
				v6_emit_bool(e, "iface_present", l ? "" : " (absent)", l != NULL);
			}
			v6_emit_text(e, "\n");
			v6_emit_object_close(e);
		}
		v6_emit_array_close(e);
		v6_emit_object_close(e);
	}
	v6_emit_array_close(e);

	v6_emit_object_open(e, "cache");
	v6_emit_u64(e, "entries", "cache %llu", d->cache.n);
	v6_emit_u64(e, "max", "/%llu entries\n", d->cache.max);
	v6_emit_array_open(e, "list");
	for (uint32_t pos = 0; pos < d->cache.n && pos < STATUS_MAX_ENTRIES; pos++) {
		const struct ndp_entry *c = ndp_cache_at(&d->cache, pos);
		struct ndp_link *l = ndp_link_by_index(d, c->ifindex);
		v6_emit_object_open(e, NULL);
		inet_ntop(AF_INET6, &c->target, buf, sizeof(buf));
		v6_emit_str(e, "target", "  %s", buf);
		v6_emit_str(e, "state", " %s", ndp_state_name(c->state));
		v6_emit_str(e, "iface", " on %s", l ? l->name : "?");
		v6_emit_str(e, "proxy", " for %s", d->conf.proxies[c->proxy].iface);
		v6_emit_i64(e, "age_s", " age %llds", now / 1000 - c->born_s);
		v6_emit_i64(e, "expires_ms", " expires in %lldms", c->deadline > now ? c->deadline - now : 0);
		v6_emit_bool(e, "wired", c->wired ? " wired" : NULL, c->wired);
		v6_emit_text(e, "\n");
		v6_emit_object_close(e);
	}
	v6_emit_array_close(e);
	v6_emit_object_close(e);

	v6_emit_object_open(e, "counters");
	v6_emit_u64(e, "ns_seen", "NS seen %llu", d->ctr.ns_seen);
	v6_emit_u64(e, "answered", ", answered %llu", d->ctr.answered);
	v6_emit_u64(e, "waited", ", waited %llu", d->ctr.waiting);
	v6_emit_u64(e, "probes_sent", "\nprobes sent %llu", d->ctr.probes_sent);
	v6_emit_u64(e, "probes_answered", ", answered %llu", d->ctr.probes_answered);
	v6_emit_u64(e, "probe_timeouts", ", timed out %llu", d->ctr.probe_timeouts);
	v6_emit_u64(e, "routes_wired", "\nroutes wired %llu", d->ctr.routes_wired);
	v6_emit_u64(e, "routes_removed", ", removed %llu", d->ctr.routes_removed);
	v6_emit_u64(e, "evictions", "\ncache evictions %llu", d->ctr.evictions);
	v6_emit_u64(e, "reloads", ", reloads %llu", d->ctr.reloads);
	v6_emit_u64(e, "link_events", ", link events %llu\n", d->ctr.link_events);
	uint64_t dropped = 0, unanswered = 0;
	for (int i = 0; i < NDP_PKT__N; i++)
		dropped += d->ctr.invalid[i];
	for (int i = 0; i < NDP_SKIP__N; i++)
		unanswered += d->ctr.skipped[i];
	v6_emit_u64(e, "invalid", "invalid NS dropped %llu:", dropped);
	v6_emit_object_open(e, "dropped");
	for (int i = NDP_PKT_TRUNCATED; i < NDP_PKT__N; i++)
		if (!text || d->ctr.invalid[i]) {
			if (text)
				fprintf(e->out, " %s", ndp_verdict_name(i));
			v6_emit_u64(e, ndp_verdict_name(i), " %llu", d->ctr.invalid[i]);
		}
	v6_emit_object_close(e);
	v6_emit_u64(e, "unanswered", "\nvalid NS not answered %llu:", unanswered);
	v6_emit_object_open(e, "not_answered");
	for (int i = 0; i < NDP_SKIP__N; i++)
		if (!text || d->ctr.skipped[i]) {
			if (text)
				fprintf(e->out, " %s", ndp_skip_name(i));
			v6_emit_u64(e, ndp_skip_name(i), " %llu", d->ctr.skipped[i]);
		}
	v6_emit_object_close(e);
	v6_emit_text(e, "\n");
	v6_emit_object_close(e);
	v6_emit_object_close(e);
	v6_emit_end(e);
}

void ndp_ctl_serve(struct ndp_daemon *d)
{
	for (;;) {
		int fd = accept4(d->ctlfd, NULL, NULL, SOCK_CLOEXEC);
		char req[16] = { 0 };
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct v6_emit e;
		char *out = NULL;
		size_t outlen = 0;
		FILE *f;

		if (fd < 0)
			return;
		/* A client gets 200 ms to say what it wants; we never block on it
		 * for longer, nor on writing (the socket buffer takes the reply
		 * or the client loses it). */
		if (poll(&pfd, 1, 200) == 1 && read(fd, req, sizeof(req) - 1) > 0 &&
		    (f = open_memstream(&out, &outlen))) {
			v6_emit_init(&e, f, !strncmp(req, "json-pretty", 11) ? V6_EMIT_JSON_PRETTY
					    : !strncmp(req, "json", 4)      ? V6_EMIT_JSON
									    : V6_EMIT_TEXT);
			emit_status(d, &e);
			fclose(f);
			struct timeval tv = { .tv_sec = 1 };
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			for (size_t off = 0; off < outlen;) {
				ssize_t w = write(fd, out + off, outlen - off);
				if (w <= 0)
					break;
				off += (size_t)w;
			}
			free(out);
		}
		close(fd);
	}
}

int ndp_status_main(const char *path, bool json, bool pretty)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *req = json ? (pretty ? "json-pretty\n" : "json\n") : "text\n";
	char buf[65536];
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ndproxy: control socket path too long: '%s'\n", path);
		return V6_EXIT_USAGE;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "ndproxy: %s: %s (is ndproxy running?)\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return V6_EXIT_RUNTIME;
	}
	if (write(fd, req, strlen(req)) < 0) {
		fprintf(stderr, "ndproxy: %s: %s\n", path, strerror(errno));
		close(fd);
		return V6_EXIT_RUNTIME;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	if (n < 0) {
		fprintf(stderr, "ndproxy: %s: %s\n", path, strerror(errno));
		close(fd);
		return V6_EXIT_RUNTIME;
	}
	close(fd);
	return V6_EXIT_OK;
}
