/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6nl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

static struct nl_msg *addr_msg(int type, int flags, int ifindex, const struct v6_prefix *p,
			       unsigned ifa_flags)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (unsigned char)p->addr.family,
		.ifa_prefixlen = (unsigned char)p->len,
		.ifa_index = (unsigned)ifindex,
		.ifa_flags = (unsigned char)ifa_flags,
	};
	size_t alen = v6_family_bytes(p->addr.family);
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, (int)alen, p->addr.bytes) < 0 ||
	    nla_put(msg, IFA_ADDRESS, (int)alen, p->addr.bytes) < 0 ||
	    (ifa_flags > 0xff && nla_put_u32(msg, IFA_FLAGS, ifa_flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int addr_op(struct v6_nl *nl, struct nl_msg *msg, const struct v6_prefix *p,
		   const char *what, struct v6_err *err)
{
	char buf[V6_ADDRSTRLEN];
	int rc;

	if (!msg)
		return v6_err_set(err, -ENOMEM, "out of memory");
	if ((rc = v6_nl_talk(nl, msg, err)) < 0) {
		snprintf(buf, sizeof(buf), "%s", "");
		v6_addr_str(&p->addr, buf, sizeof(buf));
		return v6_err_prefix(err, rc, "%s %s/%u", what, buf, p->len);
	}
	return 0;
}

int v6_addr_add(struct v6_nl *nl, int ifindex, const struct v6_prefix *p, unsigned ifa_flags,
		struct v6_err *err)
{
	return addr_op(nl,
		       addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, p, ifa_flags),
		       p, "add address", err);
}

int v6_addr_del(struct v6_nl *nl, int ifindex, const struct v6_prefix *p, struct v6_err *err)
{
	return addr_op(nl, addr_msg(RTM_DELADDR, 0, ifindex, p, 0), p, "delete address", err);
}

struct addr_list {
	int ifindex, family;
	struct v6_ifaddr *v;
	size_t n, cap;
};

static int addr_cb(struct nlmsghdr *h, void *arg)
{
	struct addr_list *al = arg;
	struct ifaddrmsg *ifa = nlmsg_data(h);
	struct nlattr *tb[IFA_MAX + 1];
	struct nlattr *a;
	struct v6_ifaddr x = { 0 };

	if (h->nlmsg_type != RTM_NEWADDR)
		return 0;
	if ((al->ifindex && (int)ifa->ifa_index != al->ifindex) ||
	    (al->family != AF_UNSPEC && ifa->ifa_family != al->family) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return 0;
	if (nlmsg_parse(h, sizeof(*ifa), tb, IFA_MAX, NULL) < 0)
		return 0;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || nla_len(a) != (int)v6_family_bytes(ifa->ifa_family))
		return 0;
	x.ifindex = (int)ifa->ifa_index;
	x.prefix.addr.family = ifa->ifa_family;
	memcpy(x.prefix.addr.bytes, nla_data(a), (size_t)nla_len(a));
	x.prefix.len = ifa->ifa_prefixlen;
	x.flags = tb[IFA_FLAGS] ? nla_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	x.scope = ifa->ifa_scope;
	return V6_APPEND(al->v, al->n, al->cap, x);
}

int v6_addr_list(struct v6_nl *nl, int ifindex, int family, struct v6_ifaddr **out,
		 struct v6_err *err)
{
	struct ifaddrmsg ifa = { .ifa_family = (unsigned char)family };
	struct addr_list al = { .ifindex = ifindex, .family = family };
	int rc = v6_nl_dump(nl, RTM_GETADDR, &ifa, sizeof(ifa), addr_cb, &al, err);

	if (rc < 0) {
		free(al.v);
		return rc;
	}
	*out = al.v;
	return (int)al.n;
}
