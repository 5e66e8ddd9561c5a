/* SPDX-License-Identifier: GPL-2.0-or-later */
/* 6in4 tunnel links (RFC 4213) through libnl-route-3's sit API.  Requests
 * are built by libnl and sent through v6_nl_talk(), the library's one
 * request/ack path; replies are parsed here attribute by attribute. */
#include "v6sit.h"

#include <errno.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link/sit.h>

static int sit_build(const struct v6_sit *p, int ifindex, struct rtnl_link **out,
		     struct v6_err *err)
{
	struct rtnl_link *l = rtnl_link_sit_alloc();
	int rc;

	if (!l)
		return v6_err_set(err, -ENOMEM, "out of memory");
	if (ifindex)
		rtnl_link_set_ifindex(l, ifindex);
	else
		rtnl_link_set_name(l, p->name);
	/* Every parameter is set explicitly: on a change request the kernel
	 * takes an absent attribute as zero, not as "keep". */
	if ((rc = rtnl_link_sit_set_local(l, p->local.s_addr)) < 0 ||
	    (rc = rtnl_link_sit_set_remote(l, p->remote.s_addr)) < 0 ||
	    (rc = rtnl_link_sit_set_ttl(l, p->ttl)) < 0 ||
	    (rc = rtnl_link_sit_set_tos(l, p->tos)) < 0 ||
	    (rc = rtnl_link_sit_set_pmtudisc(l, p->pmtudisc ? 1 : 0)) < 0 ||
	    (rc = rtnl_link_sit_set_link(l, (uint32_t)p->link)) < 0) {
		rtnl_link_put(l);
		return v6_err_set(err, v6_nle_to_errno(rc), "%s: %s", p->name, nl_geterror(rc));
	}
	if (p->mtu && !ifindex)
		rtnl_link_set_mtu(l, p->mtu);
	*out = l;
	return 0;
}

int v6_sit_create(struct v6_nl *nl, const struct v6_sit *p, struct v6_err *err)
{
	struct rtnl_link *l;
	int rc = v6_parse_ifname(p->name, "tunnel name", err);

	if (rc < 0 || (rc = sit_build(p, 0, &l, err)) < 0)
		return rc;
	rc = v6_link_create(nl, l, err);
	rtnl_link_put(l);
	return rc;
}

struct sit_reply {
	struct v6_sit *sit;
	struct v6_link_stats *stats;
	int ifindex;
	bool is_sit;
};

static void sit_parse_data(struct nlattr *data, struct v6_sit *s)
{
	struct nlattr *tb[IFLA_IPTUN_MAX + 1];

	if (nla_parse_nested(tb, IFLA_IPTUN_MAX, data, NULL) < 0)
		return;
	if (tb[IFLA_IPTUN_LINK])
		s->link = (int)nla_get_u32(tb[IFLA_IPTUN_LINK]);
	if (tb[IFLA_IPTUN_LOCAL])
		s->local.s_addr = nla_get_u32(tb[IFLA_IPTUN_LOCAL]);
	if (tb[IFLA_IPTUN_REMOTE])
		s->remote.s_addr = nla_get_u32(tb[IFLA_IPTUN_REMOTE]);
	if (tb[IFLA_IPTUN_TTL])
		s->ttl = nla_get_u8(tb[IFLA_IPTUN_TTL]);
	if (tb[IFLA_IPTUN_TOS])
		s->tos = nla_get_u8(tb[IFLA_IPTUN_TOS]);
	if (tb[IFLA_IPTUN_PMTUDISC])
		s->pmtudisc = nla_get_u8(tb[IFLA_IPTUN_PMTUDISC]);
}

static int sit_reply_cb(struct nlmsghdr *h, void *arg)
{
	struct sit_reply *r = arg;
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return 0;
	r->ifindex = ifi->ifi_index;
	if (r->stats && tb[IFLA_STATS64] &&
	    nla_len(tb[IFLA_STATS64]) >= (int)sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 st;
		memcpy(&st, nla_data(tb[IFLA_STATS64]), sizeof(st));
		*r->stats = (struct v6_link_stats){ st.rx_packets, st.rx_bytes, st.tx_packets,
						    st.tx_bytes, st.rx_dropped, st.tx_dropped };
	}
	if (!r->sit)
		return 0;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(r->sit->name, tb[IFLA_IFNAME], sizeof(r->sit->name));
	if (tb[IFLA_MTU])
		r->sit->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO]) {
		struct nlattr *li[IFLA_INFO_MAX + 1];
		if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
		    li[IFLA_INFO_KIND] && !strcmp(nla_get_string(li[IFLA_INFO_KIND]), "sit")) {
			r->is_sit = true;
			if (li[IFLA_INFO_DATA])
				sit_parse_data(li[IFLA_INFO_DATA], r->sit);
		}
	}
	return 0;
}

static int link_query(struct v6_nl *nl, const char *name, struct sit_reply *r,
		      struct v6_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	int rc = v6_parse_ifname(name, "interface", err);

	if (rc < 0)
		return rc;
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0) {
		nlmsg_free(msg);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	rc = v6_nl_query(nl, msg, sit_reply_cb, r, err);
	if (rc == -ENODEV || rc == -ENOENT || (rc == 0 && !r->ifindex))
		return v6_err_set(err, -ENODEV, "%s: no such device", name);
	if (rc < 0)
		return v6_err_prefix(err, rc, "%s", name);
	return 0;
}

int v6_sit_get(struct v6_nl *nl, const char *name, struct v6_sit *out, struct v6_err *err)
{
	struct sit_reply r = { .sit = out };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = link_query(nl, name, &r, err)) < 0)
		return rc;
	if (!r.is_sit)
		return v6_err_set(err, -EMEDIUMTYPE, "%s: not a sit link", name);
	return 0;
}

int v6_link_stats(struct v6_nl *nl, const char *name, struct v6_link_stats *out,
		  struct v6_err *err)
{
	struct sit_reply r = { .stats = out };

	memset(out, 0, sizeof(*out));
	return link_query(nl, name, &r, err);
}

int v6_sit_change(struct v6_nl *nl, const char *name, struct in_addr local,
		  struct in_addr remote, uint8_t ttl, struct v6_err *err)
{
	struct sit_reply r;
	struct v6_sit cur;
	struct rtnl_link *l;
	struct nl_msg *msg = NULL;
	int rc;

	memset(&cur, 0, sizeof(cur));
	r = (struct sit_reply){ .sit = &cur };
	if ((rc = link_query(nl, name, &r, err)) < 0)
		return rc;
	if (!r.is_sit)
		return v6_err_set(err, -EMEDIUMTYPE, "%s: not a sit link", name);
	cur.local = local;
	cur.remote = remote;
	cur.ttl = ttl;
	if ((rc = sit_build(&cur, r.ifindex, &l, err)) < 0)
		return rc;
	rc = rtnl_link_build_add_request(l, 0, &msg);
	rtnl_link_put(l);
	if (rc < 0)
		return v6_err_set(err, v6_nle_to_errno(rc), "%s: %s", name, nl_geterror(rc));
	if ((rc = v6_nl_talk(nl, msg, err)) < 0)
		return v6_err_prefix(err, rc, "%s: change endpoints", name);
	return 0;
}
