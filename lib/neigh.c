/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6nl.h"

#include <errno.h>
#include <string.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

struct neigh_get {
	struct v6_neigh *out;
	bool found;
};

static int neigh_cb(struct nlmsghdr *h, void *arg)
{
	struct neigh_get *g = arg;
	struct ndmsg *nd = nlmsg_data(h);
	struct nlattr *tb[NDA_MAX + 1];

	if (h->nlmsg_type != RTM_NEWNEIGH || g->found ||
	    nlmsg_parse(h, sizeof(*nd), tb, NDA_MAX, NULL) < 0)
		return 0;
	memset(g->out, 0, sizeof(*g->out));
	g->out->state = nd->ndm_state;
	if (tb[NDA_LLADDR] && (size_t)nla_len(tb[NDA_LLADDR]) <= sizeof(g->out->lladdr)) {
		g->out->lladdr_len = (size_t)nla_len(tb[NDA_LLADDR]);
		memcpy(g->out->lladdr, nla_data(tb[NDA_LLADDR]), g->out->lladdr_len);
	}
	g->found = true;
	return 0;
}

int v6_neigh_get(struct v6_nl *nl, int ifindex, const struct v6_addr *a, struct v6_neigh *out,
		 struct v6_err *err)
{
	struct ndmsg nd = { .ndm_family = (unsigned char)a->family, .ndm_ifindex = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNEIGH, 0);
	struct neigh_get g = { .out = out };
	char buf[V6_ADDRSTRLEN];
	int rc;

	if (!msg || nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_DST, (int)v6_family_bytes(a->family), a->bytes) < 0) {
		nlmsg_free(msg);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	rc = v6_nl_query(nl, msg, neigh_cb, &g, err);
	if (rc == -ENOENT || (!rc && !g.found))
		return v6_err_set(err, -ENOENT, "neighbour %s: no entry",
				  v6_addr_str(a, buf, sizeof(buf)));
	if (rc < 0)
		return v6_err_prefix(err, rc, "neighbour %s", v6_addr_str(a, buf, sizeof(buf)));
	return 0;
}
