/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "v6nl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

struct nl_msg *v6_rule_msg(const struct v6_rule *r, bool add, struct v6_err *err)
{
	struct fib_rule_hdr frh = {
		.family = (unsigned char)r->family,
		.src_len = (unsigned char)r->src.len,
		.table = r->table < 256 ? (unsigned char)r->table : RT_TABLE_UNSPEC,
		.action = r->action ? r->action : FR_ACT_TO_TBL,
	};
	/* NLM_F_EXCL: the kernel otherwise happily stacks identical rules. */
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWRULE : RTM_DELRULE,
						add ? NLM_F_CREATE | NLM_F_EXCL : 0);

	if (!msg || nlmsg_append(msg, &frh, sizeof(frh), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, FRA_TABLE, r->table) < 0 ||
	    nla_put_u32(msg, FRA_PRIORITY, r->prio) < 0 ||
	    (r->src.len && nla_put(msg, FRA_SRC, (int)v6_family_bytes(r->family),
				   r->src.addr.bytes) < 0) ||
	    (r->protocol && nla_put_u8(msg, FRA_PROTOCOL, r->protocol) < 0)) {
		nlmsg_free(msg);
		v6_err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	return msg;
}

static int rule_op(struct v6_nl *nl, const struct v6_rule *r, bool add, struct v6_err *err)
{
	struct nl_msg *msg = v6_rule_msg(r, add, err);
	char buf[V6_ADDRSTRLEN];
	int rc;

	if (!msg)
		return -ENOMEM;
	if ((rc = v6_nl_talk(nl, msg, err)) < 0)
		return v6_err_prefix(err, rc, "%s rule from %s priority %u", add ? "add" : "delete",
				     r->src.len ? v6_prefix_str(&r->src, buf, sizeof(buf)) : "all",
				     r->prio);
	return 0;
}

int v6_rule_add(struct v6_nl *nl, const struct v6_rule *r, struct v6_err *err)
{
	return rule_op(nl, r, true, err);
}

int v6_rule_del(struct v6_nl *nl, const struct v6_rule *r, struct v6_err *err)
{
	return rule_op(nl, r, false, err);
}

struct rule_list {
	int family;
	uint8_t protocol;
	struct v6_rule *v;
	size_t n, cap;
};

static int rule_cb(struct nlmsghdr *h, void *arg)
{
	struct rule_list *rl = arg;
	struct fib_rule_hdr *frh = nlmsg_data(h);
	struct nlattr *tb[FRA_MAX + 1];
	struct v6_rule r = { 0 };
	size_t alen = v6_family_bytes(frh->family);

	/* The kernel answers a family-specific dump, but be exact anyway;
	 * AF_UNSPEC asks for both IP families (not the multicast ones). */
	if (h->nlmsg_type != RTM_NEWRULE ||
	    (rl->family != AF_UNSPEC ? frh->family != rl->family
				     : frh->family != AF_INET && frh->family != AF_INET6))
		return 0;
	if (nlmsg_parse(h, sizeof(*frh), tb, FRA_MAX, NULL) < 0)
		return 0;
	r.family = frh->family;
	r.protocol = tb[FRA_PROTOCOL] ? nla_get_u8(tb[FRA_PROTOCOL]) : 0;
	if (rl->protocol && r.protocol != rl->protocol)
		return 0;
	r.prio = tb[FRA_PRIORITY] ? nla_get_u32(tb[FRA_PRIORITY]) : 0;
	r.table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : frh->table;
	r.action = frh->action;
	r.src.addr.family = frh->family;
	r.src.len = frh->src_len;
	if (tb[FRA_SRC] && nla_len(tb[FRA_SRC]) == (int)alen)
		memcpy(r.src.addr.bytes, nla_data(tb[FRA_SRC]), alen);
	return V6_APPEND(rl->v, rl->n, rl->cap, r);
}

int v6_rule_list(struct v6_nl *nl, int family, uint8_t protocol, struct v6_rule **out,
		 struct v6_err *err)
{
	struct fib_rule_hdr frh = { .family = (unsigned char)family };
	struct rule_list rl = { .family = family, .protocol = protocol };
	int rc = v6_nl_dump(nl, RTM_GETRULE, &frh, sizeof(frh), rule_cb, &rl, err);

	if (rc < 0) {
		free(rl.v);
		return rc;
	}
	*out = rl.v;
	return (int)rl.n;
}
