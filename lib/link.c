/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6nl.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>


static void link_from_msg(struct nlmsghdr *h, struct v6_link *l)
{
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *tb[IFLA_MAX + 1];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	l->up = ifi->ifi_flags & IFF_UP;
	l->running = ifi->ifi_flags & IFF_RUNNING;
	if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return;
	if (tb[IFLA_IFNAME])
		nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(l->alias, tb[IFLA_IFALIAS], sizeof(l->alias));
	if (tb[IFLA_MTU])
		l->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_LINKINFO]) {
		struct nlattr *li[IFLA_INFO_MAX + 1];
		if (nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
		    li[IFLA_INFO_KIND])
			nla_strlcpy(l->kind, li[IFLA_INFO_KIND], sizeof(l->kind));
	}
}

static int link_cb(struct nlmsghdr *h, void *arg)
{
	if (h->nlmsg_type == RTM_NEWLINK) {
		link_from_msg(h, arg);
		((struct v6_link *)arg)->ifindex = ((struct ifinfomsg *)nlmsg_data(h))->ifi_index;
	}
	return 0;
}

static int link_get(struct v6_nl *nl, int ifindex, const char *name, struct v6_link *out,
		    struct v6_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	int rc;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (name && nla_put_string(msg, IFLA_IFNAME, name) < 0)) {
		nlmsg_free(msg);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	memset(out, 0, sizeof(*out));
	rc = v6_nl_query(nl, msg, link_cb, out, err);
	if (rc == 0 && out->ifindex == 0)
		rc = -ENODEV;
	if (rc == -ENODEV || rc == -ENOENT) {
		if (name)
			return v6_err_set(err, -ENODEV, "%s: no such device", name);
		return v6_err_set(err, -ENODEV, "interface index %d: no such device", ifindex);
	}
	if (rc < 0)
		return v6_err_prefix(err, rc, "%s", name ? name : "link");
	return 0;
}

int v6_link_by_name(struct v6_nl *nl, const char *name, struct v6_link *out,
		    struct v6_err *err)
{
	int rc = v6_parse_ifname(name, "interface", err);
	return rc < 0 ? rc : link_get(nl, 0, name, out, err);
}

int v6_link_by_index(struct v6_nl *nl, int ifindex, struct v6_link *out, struct v6_err *err)
{
	return link_get(nl, ifindex, NULL, out, err);
}

/* An RTM_NEWLINK change request for an existing link. */
static struct nl_msg *link_change_msg(int ifindex, unsigned flags, unsigned change)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifindex, .ifi_flags = flags, .ifi_change = change
	};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, 0);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int link_change(struct v6_nl *nl, struct nl_msg *msg, int ifindex, const char *what,
		       struct v6_err *err)
{
	int rc;

	if (!msg)
		return v6_err_set(err, -ENOMEM, "out of memory");
	rc = v6_nl_talk(nl, msg, err);
	if (rc < 0) {
		char name[IF_NAMESIZE] = "";
		if (!if_indextoname((unsigned)ifindex, name))
			snprintf(name, sizeof(name), "#%d", ifindex);
		return v6_err_prefix(err, rc, "%s: %s", name, what);
	}
	return 0;
}

int v6_link_set_up(struct v6_nl *nl, int ifindex, bool up, struct v6_err *err)
{
	return link_change(nl, link_change_msg(ifindex, up ? IFF_UP : 0, IFF_UP), ifindex,
			   up ? "set up" : "set down", err);
}

int v6_link_set_mtu(struct v6_nl *nl, int ifindex, unsigned mtu, struct v6_err *err)
{
	struct nl_msg *msg = link_change_msg(ifindex, 0, 0);

	if (msg && nla_put_u32(msg, IFLA_MTU, mtu) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return link_change(nl, msg, ifindex, "set mtu", err);
}

int v6_link_set_alias(struct v6_nl *nl, int ifindex, const char *alias, struct v6_err *err)
{
	struct nl_msg *msg = link_change_msg(ifindex, 0, 0);

	if (msg && nla_put_string(msg, IFLA_IFALIAS, alias) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return link_change(nl, msg, ifindex, "set alias", err);
}

int v6_link_delete(struct v6_nl *nl, int ifindex, struct v6_err *err)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, 0);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return link_change(nl, msg, ifindex, "delete", err);
}

int v6_link_create(struct v6_nl *nl, struct rtnl_link *link, struct v6_err *err)
{
	struct nl_msg *msg = NULL;
	const char *name = rtnl_link_get_name(link);
	int rc = rtnl_link_build_add_request(link, NLM_F_CREATE | NLM_F_EXCL, &msg);

	if (rc < 0)
		return v6_err_set(err, v6_nle_to_errno(rc), "%s: %s", name ? name : "link",
				  nl_geterror(rc));
	rc = v6_nl_talk(nl, msg, err);
	if (rc < 0)
		return v6_err_prefix(err, rc, "%s: create", name ? name : "link");
	return 0;
}

int v6_link_owned(struct v6_nl *nl, const char *name, const char *tool, struct v6_err *err)
{
	struct v6_link l;
	char want[64];
	int rc = v6_link_by_name(nl, name, &l, err);

	if (rc < 0)
		return rc;
	snprintf(want, sizeof(want), V6_LINK_ALIAS_PREFIX "%s", tool);
	return strcmp(l.alias, want) == 0;
}
