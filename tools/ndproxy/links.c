/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What ndproxy knows about the kernel, kept current through netlink
 * events (links, IPv6 addresses, neighbours, routes) instead of polling
 * /proc: interfaces may appear, vanish, be renamed or go down at any time.
 * This file only records and reports; the daemon decides what follows. */
#define _GNU_SOURCE
#include "links.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

int ndp_links_open(struct ndp_netlink *net, struct v6_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcvbuf = 4 << 20, rc;

	if ((rc = v6_nl_open(&net->nl, err)) < 0)
		return rc;
	sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE | RTMGRP_NEIGH;
	net->evfd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (net->evfd < 0)
		return v6_err_set(err, -errno, "netlink: %s", strerror(errno));
	/* A burst of events (a big route change) must not overrun us; if it
	 * does anyway, ENOBUFS makes us re-read everything. */
	setsockopt(net->evfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(net->evfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return v6_err_set(err, -errno, "netlink: bind: %s", strerror(errno));
	return 0;
}

void ndp_links_close(struct ndp_netlink *net)
{
	if (net->evfd >= 0)
		close(net->evfd);
	net->evfd = -1;
	v6_nl_close(&net->nl);
	free(net->k.links);
	free(net->k.own);
	free(net->watch);
	net->k.links = NULL;
	net->k.own = NULL;
	net->watch = NULL;
	net->k.nlinks = net->k.nown = net->nwatch = 0;
	net->k.links_cap = net->k.own_cap = 0;
}

/* The one writable way to a link: everyone else reads through kernel.h. */
static struct ndp_link *link_at(struct ndp_kernel *k, int ifindex)
{
	for (size_t i = 0; i < k->nlinks; i++)
		if (k->links[i].ifindex == ifindex)
			return &k->links[i];
	return NULL;
}

static bool watched(const struct ndp_netlink *net, int ifindex)
{
	for (size_t i = 0; i < net->nwatch; i++)
		if (net->watch[i] == ifindex)
			return true;
	return false;
}

int ndp_links_watch(struct ndp_netlink *net, const int *ifindex, size_t n)
{
	int *w = NULL;

	if (n && !(w = malloc(n * sizeof(*w))))
		return -ENOMEM;
	if (n)
		memcpy(w, ifindex, n * sizeof(*w));
	free(net->watch);
	net->watch = w;
	net->nwatch = n;
	return 0;
}

static void link_msg(struct ndp_kernel *k, struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct nlattr *tb[IFLA_MAX + 1];
	struct ndp_link *l;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return;
	l = link_at(k, ifi->ifi_index);
	if (h->nlmsg_type == RTM_DELLINK) {
		if (l) {
			log_info("link %s (%d) gone", l->name, l->ifindex);
			*l = k->links[--k->nlinks];
		}
		return;
	}
	if (!l) {
		struct ndp_link fresh = { .ifindex = ifi->ifi_index };
		if (V6_APPEND(k->links, k->nlinks, k->links_cap, fresh) < 0)
			return;
		l = &k->links[k->nlinks - 1];
	}
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME]) {
		size_t n = (size_t)nla_len(tb[IFLA_IFNAME]);
		if (n > sizeof(l->name) - 1)
			n = sizeof(l->name) - 1;
		memcpy(l->name, nla_data(tb[IFLA_IFNAME]), n);
		l->name[n] = '\0';
		l->name[strnlen(l->name, n)] = '\0';
	}
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l->mac, nla_data(tb[IFLA_ADDRESS]), 6);
		l->has_mac = true;
	}
}

static void addr_msg(struct ndp_kernel *k, struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct nlattr *tb[IFA_MAX + 1];
	struct in6_addr a;
	struct ndp_link *l;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) || ifa->ifa_family != AF_INET6 ||
	    nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return;
	struct nlattr *at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at || nla_len(at) != 16)
		return;
	memcpy(&a, nla_data(at), 16);
	for (size_t i = 0; i < k->nown; i++)
		if (!memcmp(&k->own[i].addr, &a, 16) && k->own[i].ifindex == (int)ifa->ifa_index) {
			k->own[i] = k->own[--k->nown];
			break;
		}
	l = link_at(k, (int)ifa->ifa_index);
	if (h->nlmsg_type == RTM_DELADDR) {
		if (l && l->has_ll && !memcmp(&l->ll, &a, 16))
			l->has_ll = false;
		return;
	}
	struct ndp_own own = { .addr = a, .ifindex = (int)ifa->ifa_index };
	if (V6_APPEND(k->own, k->nown, k->own_cap, own) < 0)
		return;
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
static void neigh_msg(struct ndp_netlink *net, struct nlmsghdr *h)
{
	struct ndp_kernel *k = &net->k;
	struct ndmsg *nd = NLMSG_DATA(h);
	struct nlattr *tb[NDA_MAX + 1];
	const struct in6_addr *a;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) || nd->ndm_family != AF_INET6 ||
	    (nd->ndm_flags & NTF_PROXY) || nlmsg_parse(h, sizeof(*nd), tb, NDA_MAX, NULL) < 0)
		return;
	if (!tb[NDA_DST] || nla_len(tb[NDA_DST]) != 16)
		return;
	a = nla_data(tb[NDA_DST]);
	if (h->nlmsg_type == RTM_DELNEIGH || (nd->ndm_state & NUD_FAILED)) {
		ndp_upneigh_forget(k, a, nd->ndm_ifindex);
		return;
	}
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_PERMANENT)) || !watched(net, nd->ndm_ifindex))
		return;
	if (!ndp_upneigh_has(k, a, nd->ndm_ifindex) && k->nuppend < NDP_UPNEIGH_PENDING) {
		memcpy(&k->uppend[k->nuppend].a, a, 16);
		k->uppend[k->nuppend++].ifindex = nd->ndm_ifindex;
	}
}

/* The route check for neighbours noted by neigh_msg, on the request
 * socket once no dump is running on it. */
static void upneigh_settle(struct ndp_netlink *net)
{
	struct ndp_kernel *k = &net->k;

	for (unsigned i = 0; i < k->nuppend; i++)
		if (ndp_route_oif(net, &k->uppend[i].a, NULL, NULL) == k->uppend[i].ifindex)
			ndp_upneigh_note(k, &k->uppend[i].a, k->uppend[i].ifindex);
	k->nuppend = 0;
}

static bool route_msg(struct nlmsghdr *h)
{
	struct rtmsg *rt = NLMSG_DATA(h);

	return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*rt)) && rt->rtm_family == AF_INET6 &&
	       rt->rtm_protocol != V6_PROTO_NDPROXY && rt->rtm_table != RT_TABLE_LOCAL;
}

/* One message, dumped or an event, into net; returns NDP_NL_* flags. */
static unsigned dispatch_msg(struct ndp_netlink *net, struct nlmsghdr *h)
{
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		link_msg(&net->k, h);
		net->link_events++;
		return NDP_NL_LINKS;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		addr_msg(&net->k, h);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		neigh_msg(net, h);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return route_msg(h) ? NDP_NL_ROUTES : 0;
	}
	return 0;
}

static int dump_cb(struct nlmsghdr *h, void *arg)
{
	dispatch_msg(arg, h);
	return 0;
}

int ndp_links_read(struct ndp_netlink *net, struct v6_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6 };
	int rc;

	net->k.nlinks = 0;
	net->k.nown = 0;
	if ((rc = v6_nl_dump(&net->nl, RTM_GETLINK, &ifi, sizeof(ifi), dump_cb, net, err)) < 0 ||
	    (rc = v6_nl_dump(&net->nl, RTM_GETADDR, &ifa, sizeof(ifa), dump_cb, net, err)) < 0)
		return rc;
	return 0;
}

int ndp_neigh_read(struct ndp_netlink *net, struct v6_err *err)
{
	struct ndmsg ndm = { .ndm_family = AF_INET6 };
	int rc;

	if ((rc = v6_nl_dump(&net->nl, RTM_GETNEIGH, &ndm, sizeof(ndm), dump_cb, net, err)) < 0)
		return rc;
	upneigh_settle(net);
	return 0;
}

unsigned ndp_links_event(struct ndp_netlink *net)
{
	static char buf[65536] __attribute__((aligned(8)));
	unsigned flags = 0;

	for (int round = 0; round < 64; round++) {
		ssize_t n = recv(net->evfd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				log_warnx("netlink events overran; re-reading kernel state");
				flags |= NDP_NL_OVERRUN;
				continue;
			}
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n))
			flags |= dispatch_msg(net, h);
	}
	upneigh_settle(net);
	return flags;
}

int ndp_route_oif(struct ndp_netlink *net, const struct in6_addr *a, struct in6_addr *gw,
		  bool *has_gw)
{
	struct v6_addr dst = { .family = AF_INET6, .v6 = *a };
	struct v6_route r;
	struct v6_err err;

	/* The kernel's own longest-prefix match, asked when a target is
	 * first seen; route changes make the daemon drop what was learnt,
	 * so the answer is followed live. */
	if (v6_route_get(&net->nl, &dst, NULL, 0, &r, NULL, &err) < 0 || r.type != RTN_UNICAST)
		return 0;
	if (gw) {
		*gw = r.gw.v6;
		*has_gw = r.has_gw;
	}
	return r.ifindex;
}

int ndp_route_wire(struct ndp_netlink *net, const struct in6_addr *target, int ifindex,
		   const struct in6_addr *gw, bool add, struct v6_err *err)
{
	struct v6_route r = { .family = AF_INET6, .protocol = V6_PROTO_NDPROXY,
			      .ifindex = ifindex, .metric = 1024 };
	int rc;

	r.dst.addr.family = AF_INET6;
	r.dst.addr.v6 = *target;
	r.dst.len = 128;
	if (gw) {
		r.has_gw = true;
		r.gw.family = AF_INET6;
		r.gw.v6 = *gw;
	}
	if (add)
		return v6_route_add(&net->nl, &r, V6_NL_REPLACE, err);
	rc = v6_route_del(&net->nl, &r, err);
	return rc == -ESRCH || rc == -ENOENT || rc == -ENODEV ? 0 : rc;
}

int ndp_unwire_stale(struct ndp_netlink *net, struct v6_err *err)
{
	struct v6_route *v = NULL;
	int n = v6_route_list(&net->nl, AF_INET6, V6_PROTO_NDPROXY, &v, err);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct v6_err e2;
		if (v6_route_del(&net->nl, &v[i], &e2) < 0)
			log_warnx("stale route: %s", e2.msg);
		else
			log_info("removed a stale autowired route left by an earlier run");
	}
	free(v);
	return n;
}
