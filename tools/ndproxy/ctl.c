/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket: `ndproxy status` connects, says "json" or "text",
 * and reads the daemon's state printed through the shared emitter, so
 * the text and JSON forms carry the same fields.  That state comes as a
 * read-only view (struct ndp_status_view); only the clients are ours. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
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

/* Members of this group may read the daemon's state (monitoring). */
#define CTL_GROUP "v6kit"

int ndp_ctl_open(struct ndp_ctl *c, const char *path, struct v6_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct group *gr;
	int rc;

	c->fd = -1;
	for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
		c->client[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return v6_err_set(err, -ENAMETOOLONG, "control socket path too long: '%s'", path);
	strcpy(sa.sun_path, path);
	if ((rc = ndp_mkdir_for(path, err)) < 0)
		return rc;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return v6_err_set(err, -errno, "control socket: %s", strerror(errno));
	/* The instance lock is held: whatever is there is left over. */
	unlink(path);
	mode_t old = umask(0117);
	rc = bind(c->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc < 0 || listen(c->fd, 64) < 0)
		return v6_err_set(err, -errno, "%s: %s", path, strerror(errno));
	snprintf(c->path, sizeof(c->path), "%s", path);
	/* 0660: root and the group may connect (a connect needs write). */
	if ((gr = getgrnam(CTL_GROUP)) && chown(path, (uid_t)-1, gr->gr_gid) < 0)
		log_warn("%s: group %s", path, CTL_GROUP);
	return 0;
}

static void client_close(struct ndp_ctl_client *cl)
{
	char sink[512];

	/* Read what is left (within reason), so the close is not taken
	 * for a reset. */
	for (int i = 0; i < 64 && read(cl->fd, sink, sizeof(sink)) > 0; i++)
		;
	close(cl->fd);
	free(cl->out);
	*cl = (struct ndp_ctl_client){ .fd = -1 };
}

void ndp_ctl_close_all(struct ndp_ctl *c)
{
	for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
		if (c->client[i].fd >= 0)
			client_close(&c->client[i]);
}

void ndp_ctl_accept(struct ndp_ctl *c, int64_t now)
{
	for (int round = 0; round < 64; round++) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ndp_ctl_client *slot = NULL, *oldest = NULL;

		if (fd < 0)
			return;
		for (size_t i = 0; i < NDP_CTL_CLIENTS && !slot; i++) {
			if (c->client[i].fd < 0)
				slot = &c->client[i];
			else if (!oldest || c->client[i].deadline < oldest->deadline)
				oldest = &c->client[i];
		}
		/* Full: the client that has waited longest makes room, so idle
		 * connections can never lock the others out. */
		if (!slot) {
			client_close(oldest);
			slot = oldest;
		}
		slot->fd = fd;
		slot->deadline = now + NDP_CTL_DEADLINE_MS;
	}
}

void ndp_ctl_pollfds(const struct ndp_ctl *c, struct pollfd *pfd, size_t *n)
{
	for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
		if (c->client[i].fd >= 0)
			pfd[(*n)++] = (struct pollfd){ .fd = c->client[i].fd,
						       .events = c->client[i].out ? POLLOUT : POLLIN };
}

int64_t ndp_ctl_deadline(const struct ndp_ctl *c)
{
	int64_t t = INT64_MAX;

	for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
		if (c->client[i].fd >= 0 && c->client[i].deadline < t)
			t = c->client[i].deadline;
	return t;
}

static void emit_status(const struct ndp_status_view *v, struct v6_emit *e, int64_t now);

/* The request is one line: its first word picks the form (json,
 * json-pretty, text); the rest is room for later additions. */
static void client_answer(const struct ndp_status_view *v, struct ndp_ctl_client *c,
			  int64_t now)
{
	size_t w = strcspn(c->in, " \t\r\n");
	enum v6_emit_mode mode = V6_EMIT_TEXT;
	struct v6_emit e;
	FILE *f;

	if (w == 11 && !strncmp(c->in, "json-pretty", 11))
		mode = V6_EMIT_JSON_PRETTY;
	else if (w == 4 && !strncmp(c->in, "json", 4))
		mode = V6_EMIT_JSON;
	if (!(f = open_memstream(&c->out, &c->outlen)))
		return;
	v6_emit_init(&e, f, mode);
	emit_status(v, &e, now);
	fclose(f);
	c->outoff = 0;
}

static void client_io(const struct ndp_status_view *v, struct ndp_ctl_client *c, int64_t now)
{
	if (!c->out) {
		ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR)
				client_close(c);
			return;
		}
		c->inlen += (size_t)r;
		c->in[c->inlen] = '\0';
		/* A whole line, the client's end of the request, or all the
		 * room there is: answer what was asked. */
		if (r > 0 && !memchr(c->in, '\n', c->inlen) && c->inlen < sizeof(c->in) - 1)
			return;
		client_answer(v, c, now);
		if (!c->out) {
			client_close(c);
			return;
		}
	}
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->outoff += (size_t)w;
	}
	client_close(c);
}

void ndp_ctl_io(struct ndp_ctl *c, const struct ndp_status_view *v, const struct pollfd *pfd,
		size_t n, int64_t now)
{
	for (size_t k = 0; k < n; k++)
		for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
			if (c->client[i].fd >= 0 && c->client[i].fd == pfd[k].fd && pfd[k].revents) {
				client_io(v, &c->client[i], now);
				break;
			}
	for (size_t i = 0; i < NDP_CTL_CLIENTS; i++)
		if (c->client[i].fd >= 0 && c->client[i].deadline <= now)
			client_close(&c->client[i]);
}

static void emit_iface(const struct ndp_status_view *v, struct v6_emit *e, const char *name,
		       const char *role, int upstream_fd)
{
	const struct ndp_link *l = ndp_link_by_name(v->kernel, name);
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

static void emit_status(const struct ndp_status_view *v, struct v6_emit *e, int64_t now)
{
	char buf[V6_ADDRSTRLEN];
	bool text = !v6_emit_json(e);

	v6_emit_object_open(e, NULL);
	v6_emit_i64(e, "pid", "ndproxy pid %lld", getpid());
	v6_emit_str(e, "instance", v->instance ? ", instance %s" : NULL, v->instance);
	v6_emit_str(e, "config", ", config %s", v->conf_path ? v->conf_path : "command line");
	v6_emit_i64(e, "uptime_s", ", up %llds\n", (now - v->started) / 1000);

	/* Every interface the configuration names, whether it exists now or
	 * not: the upstream ones, then each iface-rule one not listed yet. */
	v6_emit_array_open(e, "interfaces");
	for (size_t i = 0; i < v->conf->nproxies; i++)
		emit_iface(v, e, v->conf->proxies[i].iface, "upstream", v->up[i].fd);
	for (size_t i = 0; i < v->conf->nproxies; i++)
		for (size_t j = 0; j < v->conf->proxies[i].nrules; j++)
			if (v->conf->proxies[i].rules[j].method == NDP_IFACE &&
			    !iface_listed(v->conf, i, j))
				emit_iface(v, e, v->conf->proxies[i].rules[j].iface, "downstream", -2);
	v6_emit_array_close(e);

	v6_emit_array_open(e, "proxies");
	for (size_t i = 0; i < v->conf->nproxies; i++) {
		const struct ndp_proxy *p = &v->conf->proxies[i];
		v6_emit_object_open(e, NULL);
		v6_emit_str(e, "iface", "proxy %s", p->iface);
		v6_emit_i64(e, "ifindex", NULL, v->up[i].ifindex);
		v6_emit_bool(e, "listening", v->up[i].fd >= 0 ? " listening" : " not listening",
			     v->up[i].fd >= 0);
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
				const struct ndp_link *l = ndp_link_by_name(v->kernel, r->iface);
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
	v6_emit_u64(e, "entries", "cache %llu", v->cache->n);
	v6_emit_u64(e, "max", "/%llu entries\n", v->cache->max);
	v6_emit_array_open(e, "list");
	for (uint32_t pos = 0; pos < v->cache->n && pos < STATUS_MAX_ENTRIES; pos++) {
		const struct ndp_entry *c = ndp_cache_at(v->cache, pos);
		const struct ndp_link *l = ndp_link_by_index(v->kernel, c->ifindex);
		v6_emit_object_open(e, NULL);
		inet_ntop(AF_INET6, &c->target, buf, sizeof(buf));
		v6_emit_str(e, "target", "  %s", buf);
		v6_emit_str(e, "state", " %s", ndp_state_name(c->state));
		v6_emit_str(e, "iface", " on %s", l ? l->name : "?");
		v6_emit_str(e, "proxy", " for %s", v->conf->proxies[c->proxy].iface);
		v6_emit_i64(e, "age_s", " age %llds", now / 1000 - c->born_s);
		v6_emit_i64(e, "expires_ms", " expires in %lldms", c->deadline > now ? c->deadline - now : 0);
		v6_emit_bool(e, "wired", c->wired ? " wired" : NULL, c->wired);
		v6_emit_text(e, "\n");
		v6_emit_object_close(e);
	}
	v6_emit_array_close(e);
	v6_emit_object_close(e);

	v6_emit_object_open(e, "counters");
	v6_emit_u64(e, "received", "packets received %llu", v->ctr->received);
	v6_emit_u64(e, "ns_seen", ", NS seen %llu", v->ctr->ns_seen);
	v6_emit_u64(e, "answered", ", answered %llu", v->ctr->answered);
	v6_emit_u64(e, "waited", ", waited %llu", v->ctr->waiting);
	v6_emit_u64(e, "probes_sent", "\nprobes sent %llu", v->ctr->probes_sent);
	v6_emit_u64(e, "probes_answered", ", answered %llu", v->ctr->probes_answered);
	v6_emit_u64(e, "probe_timeouts", ", timed out %llu", v->ctr->probe_timeouts);
	v6_emit_u64(e, "routes_wired", "\nroutes wired %llu", v->ctr->routes_wired);
	v6_emit_u64(e, "routes_removed", ", removed %llu", v->ctr->routes_removed);
	v6_emit_u64(e, "evictions", "\ncache evictions %llu", v->ctr->evictions);
	v6_emit_u64(e, "reloads", ", reloads %llu", v->ctr->reloads);
	v6_emit_u64(e, "link_events", ", link events %llu\n", v->link_events);
	uint64_t dropped = 0, unanswered = 0;
	for (int i = 0; i < NDP_PKT__N; i++)
		dropped += v->ctr->invalid[i];
	for (int i = 0; i < NDP_SKIP__N; i++)
		unanswered += v->ctr->skipped[i];
	v6_emit_u64(e, "invalid", "invalid NS dropped %llu:", dropped);
	v6_emit_object_open(e, "dropped");
	for (int i = NDP_PKT_TRUNCATED; i < NDP_PKT__N; i++)
		if (!text || v->ctr->invalid[i]) {
			if (text)
				fprintf(e->out, " %s", ndp_verdict_name(i));
			v6_emit_u64(e, ndp_verdict_name(i), " %llu", v->ctr->invalid[i]);
		}
	v6_emit_object_close(e);
	v6_emit_u64(e, "unanswered", "\nvalid NS not answered %llu:", unanswered);
	v6_emit_object_open(e, "not_answered");
	for (int i = 0; i < NDP_SKIP__N; i++)
		if (!text || v->ctr->skipped[i]) {
			if (text)
				fprintf(e->out, " %s", ndp_skip_name(i));
			v6_emit_u64(e, ndp_skip_name(i), " %llu", v->ctr->skipped[i]);
		}
	v6_emit_object_close(e);
	v6_emit_text(e, "\n");
	v6_emit_object_close(e);
	v6_emit_object_close(e);
	v6_emit_end(e);
}
