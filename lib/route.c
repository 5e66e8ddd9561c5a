/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6nl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

struct nl_msg *v6_route_msg(const struct v6_route *r, bool add, int flags, struct v6_err *err)
{
	uint32_t table = r->table ? r->table : RT_TABLE_MAIN;
	struct rtmsg rtm = {
		.rtm_family = (unsigned char)r->family,
		.rtm_dst_len = (unsigned char)r->dst.len,
		.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC,
		.rtm_protocol = r->protocol,
		/* Reject routes (unreachable...) are universe like gateways. */
		.rtm_scope = r->has_gw || !add || (r->type && r->type != RTN_UNICAST)
				     ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK,
		.rtm_type = r->type ? r->type : RTN_UNICAST,
	};
	int nlflags = add ? NLM_F_CREATE : 0;
	size_t alen = v6_family_bytes(r->family);
	struct nl_msg *msg;

	/* IPv6 has no link scope for routes; the kernel wants universe. */
	if (r->family == AF_INET6)
		rtm.rtm_scope = RT_SCOPE_UNIVERSE;
	if (!add)
		rtm.rtm_scope = RT_SCOPE_NOWHERE;
	if (flags & V6_NL_EXCL)
		nlflags |= NLM_F_EXCL;
	if (flags & V6_NL_REPLACE)
		nlflags |= NLM_F_REPLACE;
	msg = nlmsg_alloc_simple(add ? RTM_NEWROUTE : RTM_DELROUTE, nlflags);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, RTA_TABLE, table) < 0 ||
	    (r->dst.len && nla_put(msg, RTA_DST, (int)alen, r->dst.addr.bytes) < 0) ||
	    (r->has_gw && nla_put(msg, RTA_GATEWAY, (int)alen, r->gw.bytes) < 0) ||
	    (r->ifindex && nla_put_u32(msg, RTA_OIF, (uint32_t)r->ifindex) < 0) ||
	    (r->metric && nla_put_u32(msg, RTA_PRIORITY, r->metric) < 0)) {
		nlmsg_free(msg);
		v6_err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return msg;
}

static int route_op(struct v6_nl *nl, const struct v6_route *r, bool add, int flags,
		    struct v6_err *err)
{
	struct nl_msg *msg = v6_route_msg(r, add, flags, err);
	char buf[V6_ADDRSTRLEN];
	int rc;

	if (!msg)
		return -ENOMEM;
	if ((rc = v6_nl_talk(nl, msg, err)) < 0)
		return v6_err_prefix(err, rc, "%s route %s table %u", add ? "add" : "delete",
				     r->dst.len ? v6_prefix_str(&r->dst, buf, sizeof(buf)) : "default",
				     r->table ? r->table : RT_TABLE_MAIN);
	return 0;
}

int v6_route_add(struct v6_nl *nl, const struct v6_route *r, int flags, struct v6_err *err)
{
	return route_op(nl, r, true, flags, err);
}

int v6_route_del(struct v6_nl *nl, const struct v6_route *r, struct v6_err *err)
{
	return route_op(nl, r, false, 0, err);
}

struct route_list {
	int family;
	uint8_t protocol;
	struct v6_route *v;
	size_t n, cap;
};

/* One RTM_NEWROUTE into *r (and its preferred source); false if malformed. */
static bool route_from_msg(struct nlmsghdr *h, struct v6_route *out, struct v6_addr *prefsrc)
{
	struct rtmsg *rtm = nlmsg_data(h);
	struct nlattr *tb[RTA_MAX + 1];
	struct v6_route r = { 0 };
	size_t alen = v6_family_bytes(rtm->rtm_family);

	if (nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return false;
	if (prefsrc) {
		memset(prefsrc, 0, sizeof(*prefsrc));
		prefsrc->family = rtm->rtm_family;
		if (tb[RTA_PREFSRC] && nla_len(tb[RTA_PREFSRC]) == (int)alen)
			memcpy(prefsrc->bytes, nla_data(tb[RTA_PREFSRC]), alen);
	}
	r.family = rtm->rtm_family;
	r.dst.addr.family = rtm->rtm_family;
	r.dst.len = rtm->rtm_dst_len;
	if (tb[RTA_DST] && nla_len(tb[RTA_DST]) == (int)alen)
		memcpy(r.dst.addr.bytes, nla_data(tb[RTA_DST]), alen);
	r.table = tb[RTA_TABLE] ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r.protocol = rtm->rtm_protocol;
	r.type = rtm->rtm_type;
	r.metric = tb[RTA_PRIORITY] ? nla_get_u32(tb[RTA_PRIORITY]) : 0;
	r.ifindex = tb[RTA_OIF] ? (int)nla_get_u32(tb[RTA_OIF]) : 0;
	r.gw.family = rtm->rtm_family;
	if (tb[RTA_GATEWAY] && nla_len(tb[RTA_GATEWAY]) == (int)alen) {
		r.has_gw = true;
		memcpy(r.gw.bytes, nla_data(tb[RTA_GATEWAY]), alen);
	}
	*out = r;
	return true;
}

static int route_cb(struct nlmsghdr *h, void *arg)
{
	struct route_list *rl = arg;
	struct rtmsg *rtm = nlmsg_data(h);
	struct v6_route r;

	if (h->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != rl->family ||
	    (rl->protocol && rtm->rtm_protocol != rl->protocol) ||
	    (rtm->rtm_flags & RTM_F_CLONED) || !route_from_msg(h, &r, NULL))
		return 0;
	return V6_APPEND(rl->v, rl->n, rl->cap, r);
}

int v6_route_list(struct v6_nl *nl, int family, uint8_t protocol, struct v6_route **out,
		  struct v6_err *err)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)family };
	struct route_list rl = { .family = family, .protocol = protocol };
	int rc = v6_nl_dump(nl, RTM_GETROUTE, &rtm, sizeof(rtm), route_cb, &rl, err);

	if (rc < 0) {
		free(rl.v);
		return rc;
	}
	*out = rl.v;
	return (int)rl.n;
}

struct route_get {
	struct v6_route *out;
	struct v6_addr *prefsrc;
	bool found;
};

static int route_get_cb(struct nlmsghdr *h, void *arg)
{
	struct route_get *g = arg;

	if (h->nlmsg_type == RTM_NEWROUTE && !g->found)
		g->found = route_from_msg(h, g->out, g->prefsrc);
	return 0;
}

int v6_route_get(struct v6_nl *nl, const struct v6_addr *dst, const struct v6_addr *src, int oif,
		 struct v6_route *out, struct v6_addr *prefsrc, struct v6_err *err)
{
	size_t alen = v6_family_bytes(dst->family);
	struct rtmsg rtm = {
		.rtm_family = (unsigned char)dst->family,
		.rtm_dst_len = (unsigned char)(alen * 8),
		.rtm_src_len = (unsigned char)(src ? alen * 8 : 0),
	};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct route_get g = { .out = out, .prefsrc = prefsrc };
	char buf[V6_ADDRSTRLEN];
	int rc;

	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)alen, dst->bytes) < 0 ||
	    (src && nla_put(msg, RTA_SRC, (int)alen, src->bytes) < 0) ||
	    (oif > 0 && nla_put_u32(msg, RTA_OIF, (uint32_t)oif) < 0)) {
		nlmsg_free(msg);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	if ((rc = v6_nl_query(nl, msg, route_get_cb, &g, err)) < 0)
		return v6_err_prefix(err, rc, "route to %s", v6_addr_str(dst, buf, sizeof(buf)));
	if (!g.found)
		return v6_err_set(err, -ENETUNREACH, "route to %s: no answer",
				  v6_addr_str(dst, buf, sizeof(buf)));
	return 0;
}

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct route_filter {
	int family;
	uint32_t table;
	uint8_t protocol;
	struct v6_route *v;
	size_t n, cap;
};

static int route_filter_cb(struct nlmsghdr *h, void *arg)
{
	struct route_filter *f = arg;
	struct rtmsg *rtm = nlmsg_data(h);
	struct v6_route r;

	/* The kernel filters when it can; this holds when it could not. */
	if (h->nlmsg_type != RTM_NEWROUTE ||
	    (f->family != AF_UNSPEC ? rtm->rtm_family != f->family
				    : rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (f->protocol && rtm->rtm_protocol != f->protocol) ||
	    (rtm->rtm_flags & RTM_F_CLONED) || !route_from_msg(h, &r, NULL) ||
	    (f->table && r.table != f->table))
		return 0;
	return V6_APPEND(f->v, f->n, f->cap, r);
}

static int strict_check(struct v6_nl *nl, int on)
{
	return setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on,
			  sizeof(on));
}

int v6_route_list_filtered(struct v6_nl *nl, int family, uint32_t table, uint8_t protocol,
			   struct v6_route **out, struct v6_err *err)
{
	struct route_filter f = { .family = family, .table = table, .protocol = protocol };
	/* Linux 4.20+ filters dumps by table and protocol when the socket asks
	 * for strict checking; the kernel then skips every other route instead
	 * of copying it out to be thrown away here. */
	bool strict = (table || protocol) && strict_check(nl, 1) == 0;
	struct rtmsg rtm = { .rtm_family = (unsigned char)family };
	struct nl_msg *msg;
	int rc;

	if (strict) {
		rtm.rtm_protocol = protocol;
		rtm.rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	}
again:
	msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    (strict && table && nla_put_u32(msg, RTA_TABLE, table) < 0)) {
		nlmsg_free(msg);
		rc = v6_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = v6_nl_query(nl, msg, route_filter_cb, &f, err);
	if (rc == -ENOENT && strict && table) {
		rc = 0; /* the kernel has no such table yet: nothing in it */
	} else if (rc == -EINVAL && strict) {
		/* A kernel that takes the option but not these filters. */
		strict_check(nl, 0);
		strict = false;
		memset(&rtm, 0, sizeof(rtm));
		rtm.rtm_family = (unsigned char)family;
		f.n = 0;
		goto again;
	}
out:
	if (strict)
		strict_check(nl, 0);
	if (rc < 0) {
		free(f.v);
		return rc;
	}
	*out = f.v;
	return (int)f.n;
}
