/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running a plan: every op in one netlink batch; on any refusal, undo
 * what took effect, newest first, and register nothing.  And the plan as
 * the `ip` commands that would do the same. */
#define _GNU_SOURCE
#include "srcroute.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>

static struct nl_msg *op_msg(const struct sr_op *op, bool undo, struct v6_err *err)
{
	switch (op->kind) {
	case SR_ROUTE_ADD:
		return undo ? v6_route_msg(&op->route, false, 0, err)
			    : v6_route_msg(&op->route, true, V6_NL_EXCL, err);
	case SR_ROUTE_REPLACE:
		return v6_route_msg(undo ? &op->old_route : &op->route, true, V6_NL_REPLACE, err);
	case SR_ROUTE_DEL:
		return undo ? v6_route_msg(&op->route, true, V6_NL_EXCL, err)
			    : v6_route_msg(&op->route, false, 0, err);
	case SR_RULE_ADD:
		return v6_rule_msg(&op->rule, !undo, err);
	case SR_RULE_DEL:
		return v6_rule_msg(&op->rule, undo, err);
	}
	return NULL;
}

/* Undo the ops that took effect, newest first. */
static int rollback(struct v6_nl *nl, const struct sr_plan *plan, const int *rc)
{
	struct nl_msg **msgs = calloc(plan->n + 1, sizeof(*msgs));
	int *urc = calloc(plan->n + 1, sizeof(*urc));
	size_t n = 0;
	struct v6_err ignored;
	int failed = -ENOMEM;

	if (msgs && urc) {
		for (size_t i = plan->n; i-- > 0;)
			if (rc[i] == 0 && (msgs[n] = op_msg(&plan->ops[i], true, &ignored)))
				n++;
		failed = v6_nl_talk_many(nl, msgs, n, urc, &ignored);
	}
	free(msgs);
	free(urc);
	return failed;
}

int sr_plan_exec(struct v6_nl *nl, const struct sr_conf *conf, struct sr_plan *plan,
		 const struct sr_state *st, const char *owner, struct v6_err *err)
{
	struct nl_msg **msgs;
	int *rc, failed, ret = 0;
	char where[4200];

	if (!plan->n)
		goto register_names;
	msgs = calloc(plan->n, sizeof(*msgs));
	rc = calloc(plan->n, sizeof(*rc));
	if (!msgs || !rc) {
		free(msgs);
		free(rc);
		return v6_err_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < plan->n; i++)
		if (!(msgs[i] = op_msg(&plan->ops[i], false, err))) {
			for (size_t k = 0; k < i; k++)
				nlmsg_free(msgs[k]);
			free(msgs);
			free(rc);
			return -ENOMEM;
		}
	failed = v6_nl_talk_many(nl, msgs, plan->n, rc, err);
	free(msgs);
	if (failed != 0) {
		size_t i = 0;
		char *text = NULL;
		size_t tlen = 0;
		FILE *m = open_memstream(&text, &tlen);

		while (failed > 0 && i < plan->n && rc[i] == 0)
			i++;
		ret = failed < 0 ? failed : rc[i];
		if (m && failed > 0) {
			if (plan->ops[i].entry)
				fprintf(m, "%s", sr_where(conf, plan->ops[i].entry, where, sizeof(where)));
			sr_op_print(&plan->ops[i], &plan->names, m);
		}
		if (m)
			fclose(m);
		int urc = rollback(nl, plan, rc);
		v6_err_prefix(err, ret, "%s", text ? text : "netlink");
		free(text);
		if (urc != 0) {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l,
				 "; ROLLBACK INCOMPLETE, check 'srcroute show'");
		} else {
			size_t l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, "; nothing was changed");
		}
		free(rc);
		return ret;
	}
	free(rc);
register_names:
	/* Callers hold sr_lock(), the lock registering takes. */
	for (size_t i = 0; i < plan->nnew && ret == 0; i++)
		ret = v6_rtnames_register_held(v6_iproute2_dir(), SR_TABLES_FILE,
					       plan->newtables[i].name, plan->newtables[i].id, err);
	if (ret == 0 && st)
		ret = sr_owners_update((struct sr_owners *)&st->owners, plan, owner, err);
	if (ret < 0) {
		int *all = calloc(plan->n + 1, sizeof(int));
		if (all)
			rollback(nl, plan, all);
		free(all);
		return ret;
	}
	return 0;
}
