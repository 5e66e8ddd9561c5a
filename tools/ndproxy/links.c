/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What ndproxy knows about the kernel, kept current through netlink
 * events (links, IPv6 addresses, neighbours, routes) instead of polling
 * /proc: interfaces may appear, vanish, be renamed or go down at any time. */
#define _GNU_SOURCE
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>

int ndp_links_open(struct ndp_daemon *d, struct v6_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcvbuf = 4 << 20;

	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH;
	d->evfd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (d->evfd < 0)
		return v6_err_set(err, -errno, "netlink: %s", strerror(errno));
	/* A burst of events (a big route change) must not overrun us; if it
	 * does anyway, ENOBUFS makes us re-read everything. */
	setsockopt(d->evfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(d->evfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return v6_err_set(err, -errno, "netlink: bind: %s", strerror(errno));
	return 0;
}

/* The one writable way to a link: everyone else reads through kernel.h. */
static struct ndp_link *link_at(struct ndp_kernel *k, int ifindex)
{
	for (size_t i = 0; i < k->nlinks; i++)
		if (k->links[i].ifindex == ifindex)
			return &k->links[i];
	return NULL;
}

static void parse_attrs(struct rtattr *rta, int len, struct rtattr **tb, int max)
{
	memset(tb, 0, sizeof(*tb) * ((size_t)max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type <= max)
			tb[rta->rta_type] = rta;
}

static void link_msg(struct ndp_daemon *d, struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *tb[IFLA_MAX + 1];
	struct ndp_link *l;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	parse_attrs(IFLA_RTA(ifi), (int)IFLA_PAYLOAD(h), tb, IFLA_MAX);
	l = link_at(&d->k, ifi->ifi_index);
	if (h->nlmsg_type == RTM_DELLINK) {
		if (l) {
			log_info("link %s (%d) gone", l->name, l->ifindex);
			*l = d->k.links[--d->k.nlinks];
		}
		return;
	}
	if (!l) {
		struct ndp_link *nl = realloc(d->k.links, (d->k.nlinks + 1) * sizeof(*nl));
		if (!nl)
			return;
		d->k.links = nl;
		l = &nl[d->k.nlinks++];
		memset(l, 0, sizeof(*l));
		l->ifindex = ifi->ifi_index;
	}
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME]) {
		size_t n = RTA_PAYLOAD(tb[IFLA_IFNAME]);
		if (n > sizeof(l->name) - 1)
			n = sizeof(l->name) - 1;
		memcpy(l->name, RTA_DATA(tb[IFLA_IFNAME]), n);
		l->name[n] = '\0';
		l->name[strnlen(l->name, n)] = '\0';
	}
	if (tb[IFLA_ADDRESS] && RTA_PAYLOAD(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, RTA_DATA(tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
}

static void addr_msg(struct ndp_daemon *d, struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *tb[IFA_MAX + 1];
	struct in6_addr a;
	struct ndp_link *l;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) || ifa->ifa_family != AF_INET6)
		return;
	parse_attrs(IFA_RTA(ifa), (int)IFA_PAYLOAD(h), tb, IFA_MAX);
	struct rtattr *at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at || RTA_PAYLOAD(at) != 16)
		return;
	memcpy(&a, RTA_DATA(at), 16);
	for (size_t i = 0; i < d->k.nown; i++)
		if (!memcmp(&d->k.own[i].addr, &a, 16) && d->k.own[i].ifindex == (int)ifa->ifa_index) {
			d->k.own[i] = d->k.own[--d->k.nown];
			break;
		}
	l = link_at(&d->k, (int)ifa->ifa_index);
	if (h->nlmsg_type == RTM_DELADDR) {
		if (l && l->has_ll && !memcmp(&l->ll, &a, 16))
			l->has_ll = false;
		return;
	}
	struct ndp_own *no = realloc(d->k.own, (d->k.nown + 1) * sizeof(*no));
	if (!no)
		return;
	d->k.own = no;
	no[d->k.nown].addr = a;
	no[d->k.nown++].ifindex = (int)ifa->ifa_index;
	if (l && ifa->ifa_scope == RT_SCOPE_LINK && !(ifa->ifa_flags & IFA_F_TENTATIVE)) {
		l->ll = a;
		l->has_ll = true;
	}
}

/* A neighbour the kernel knows on an upstream link is not ours to proxy,
 * but only when nobody on that link could have made it up: a STALE entry
 * is created by any NS or unsolicited NA (RFC 4861 7.2.3, 7.2.5), and an
 * attacker who also answers the kernel's probes turns it REACHABLE.  So
 * the entry must be confirmed (REACHABLE or set by an administrator) and
 * the kernel's own route to the address must leave through that link. */
static void neigh_msg(struct ndp_daemon *d, struct nlmsghdr *h)
{
	struct ndmsg *nd = NLMSG_DATA(h);
	struct rtattr *tb[NDA_MAX + 1];
	const struct in6_addr *a;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) || nd->ndm_family != AF_INET6 ||
	    (nd->ndm_flags & NTF_PROXY))
		return;
	parse_attrs((struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))),
		    (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*nd))), tb, NDA_MAX);
	if (!tb[NDA_DST] || RTA_PAYLOAD(tb[NDA_DST]) != 16)
		return;
	a = RTA_DATA(tb[NDA_DST]);
	if (h->nlmsg_type == RTM_DELNEIGH || (nd->ndm_state & NUD_FAILED)) {
		ndp_upneigh_forget(&d->k, a, nd->ndm_ifindex);
		return;
	}
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_PERMANENT)))
		return;
	for (size_t i = 0; i < d->conf.nproxies; i++) {
		if (d->up[i].fd < 0 || d->up[i].ifindex != nd->ndm_ifindex)
			continue;
		if (!ndp_upneigh_has(&d->k, a, nd->ndm_ifindex) && d->k.nuppend < NDP_UPNEIGH_PENDING) {
			memcpy(&d->k.uppend[d->k.nuppend].a, a, 16);
			d->k.uppend[d->k.nuppend++].ifindex = nd->ndm_ifindex;
		}
		break;
	}
}

/* The route check for neighbours noted by neigh_msg. */
static void upneigh_settle(struct ndp_daemon *d)
{
	for (unsigned i = 0; i < d->k.nuppend; i++)
		if (ndp_route_lookup(d, &d->k.uppend[i].a, NULL, NULL) == d->k.uppend[i].ifindex)
			ndp_upneigh_note(&d->k, &d->k.uppend[i].a, d->k.uppend[i].ifindex);
	d->k.nuppend = 0;
}

static void route_msg(struct ndp_daemon *d, struct nlmsghdr *h)
{
	struct rtmsg *rt = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)) || rt->rtm_family != AF_INET6 ||
	    rt->rtm_protocol == V6_PROTO_NDPROXY || rt->rtm_table == RT_TABLE_LOCAL)
		return;
	ndp_routes_changed(d);
}

static int dispatch(struct nlmsghdr *h, void *arg)
{
	struct ndp_daemon *d = arg;

	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		link_msg(d, h);
		d->ctr.link_events++;
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		addr_msg(d, h);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		neigh_msg(d, h);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		route_msg(d, h);
		break;
	}
	return 0;
}

int ndp_links_sync(struct ndp_daemon *d, struct v6_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6 };
	struct ndmsg ndm = { .ndm_family = AF_INET6 };
	int rc;

	d->k.nlinks = 0;
	d->k.nown = 0;
	if ((rc = v6_nl_dump(&d->nl, RTM_GETLINK, &ifi, sizeof(ifi), dispatch, d, err)) < 0 ||
	    (rc = v6_nl_dump(&d->nl, RTM_GETADDR, &ifa, sizeof(ifa), dispatch, d, err)) < 0)
		return rc;
	ndp_reconcile(d);
	if ((rc = v6_nl_dump(&d->nl, RTM_GETNEIGH, &ndm, sizeof(ndm), dispatch, d, err)) < 0)
		return rc;
	upneigh_settle(d);
	return 0;
}

void ndp_links_event(struct ndp_daemon *d)
{
	static char buf[65536] __attribute__((aligned(8)));
	bool changed = false;

	for (int round = 0; round < 64; round++) {
		ssize_t n = recv(d->evfd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				struct v6_err err;
				log_warnx("netlink events overran; re-reading kernel state");
				if (ndp_links_sync(d, &err) < 0)
					log_warnx("netlink: %s", err.msg);
				ndp_routes_changed(d);
				continue;
			}
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			dispatch(h, d);
			changed |= h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK;
		}
	}
	if (changed)
		ndp_reconcile(d);
	upneigh_settle(d);
}

struct route_answer {
	int oif;
	uint8_t type;
	bool has_gw;
	struct in6_addr gw;
};

static int route_cb(struct nlmsghdr *h, void *arg)
{
	struct route_answer *ra = arg;
	struct rtmsg *rt = NLMSG_DATA(h);
	struct rtattr *tb[RTA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWROUTE || h->nlmsg_len < NLMSG_LENGTH(sizeof(*rt)))
		return 0;
	parse_attrs(RTM_RTA(rt), (int)RTM_PAYLOAD(h), tb, RTA_MAX);
	ra->type = rt->rtm_type;
	if (tb[RTA_OIF])
		ra->oif = *(int *)RTA_DATA(tb[RTA_OIF]);
	if (tb[RTA_GATEWAY] && RTA_PAYLOAD(tb[RTA_GATEWAY]) == 16) {
		memcpy(&ra->gw, RTA_DATA(tb[RTA_GATEWAY]), 16);
		ra->has_gw = true;
	}
	return 0;
}

int ndp_route_lookup(struct ndp_daemon *d, const struct in6_addr *a, struct in6_addr *gw,
		     bool *has_gw)
{
	struct rtmsg rt = { .rtm_family = AF_INET6, .rtm_dst_len = 128 };
	struct route_answer ra = { 0 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct v6_err err;

	if (!msg)
		return 0;
	if (nlmsg_append(msg, &rt, sizeof(rt), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, 16, a) < 0) {
		nlmsg_free(msg);
		return 0;
	}
	/* The kernel's own longest-prefix match, asked when a target is
	 * first seen; route changes drop what was learnt (see
	 * ndp_routes_changed), so the answer is followed live. */
	if (v6_nl_query(&d->nl, msg, route_cb, &ra, &err) < 0 || ra.type != RTN_UNICAST)
		return 0;
	if (gw) {
		*gw = ra.gw;
		*has_gw = ra.has_gw;
	}
	return ra.oif;
}

int ndp_wire(struct ndp_daemon *d, struct ndp_entry *e, bool add)
{
	struct v6_route r = { .family = AF_INET6, .protocol = V6_PROTO_NDPROXY,
			      .ifindex = e->ifindex, .metric = 1024 };
	const struct ndp_proxy *p = &d->conf.proxies[e->proxy];
	struct v6_err err;
	int rc;

	r.dst.addr.family = AF_INET6;
	memcpy(&r.dst.addr.v6, &e->target, 16);
	r.dst.len = 128;
	if (add && e->proxy < d->conf.nproxies && e->rule < p->nrules &&
	    p->rules[e->rule].method == NDP_AUTO && p->rules[e->rule].autovia) {
		struct in6_addr gw;
		bool has_gw = false;
		if (ndp_route_lookup(d, &e->target, &gw, &has_gw) == e->ifindex && has_gw) {
			r.has_gw = true;
			r.gw.family = AF_INET6;
			memcpy(&r.gw.v6, &gw, 16);
		}
	}
	if (add) {
		rc = v6_route_add(&d->nl, &r, V6_NL_REPLACE, &err);
		if (rc == 0) {
			e->wired = 1;
			d->ctr.routes_wired++;
		}
	} else {
		rc = v6_route_del(&d->nl, &r, &err);
		e->wired = 0;
		if (rc == 0 || rc == -ESRCH || rc == -ENOENT || rc == -ENODEV)
			d->ctr.routes_removed++, rc = 0;
	}
	if (rc < 0)
		log_warnx("autowire: %s", err.msg);
	return rc;
}

int ndp_unwire_stale(struct ndp_daemon *d, struct v6_err *err)
{
	struct v6_route *v = NULL;
	int n = v6_route_list(&d->nl, AF_INET6, V6_PROTO_NDPROXY, &v, err);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct v6_err e2;
		if (v6_route_del(&d->nl, &v[i], &e2) < 0)
			log_warnx("stale route: %s", e2.msg);
		else
			log_info("removed a stale autowired route left by an earlier run");
	}
	free(v);
	return n;
}
