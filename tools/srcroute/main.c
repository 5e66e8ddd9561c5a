/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srcroute: one routing table per uplink, one rule per source address. */
#include "srcroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char sr_usage[] =
	"Usage: srcroute [-4 | -6] [-n NETNS] [-j [-p]] [-v] COMMAND\n"
	"       srcroute -h | --help | -V | --version\n"
	"Commands:\n"
	"  add FROM dev IFACE [via GW] [table NAME|ID] [prio N] [fallthrough] [owner OWNER] [--wait SECS]\n"
	"  del FROM [owner OWNER]\n"
	"  show [dev IFACE] [owner OWNER|all]\n"
	"  apply [-f FILE] [owner OWNER] [--dry-run] [--wait SECS]\n"
	"  check [-f FILE] [owner OWNER]\n"
	"  flush [owner OWNER|all]\n"
	"Where:\n"
	"  FROM   an IPv4 or IPv6 address or prefix\n"
	"  GW     a gateway of the same family as FROM (default: on-link through IFACE)\n"
	"  NAME   a table name from rt_tables (default: named after IFACE)\n"
	"  N      rule priority 1-32765 (default: 5000 plus the host bits of FROM)\n"
	"  OWNER  1-32 of A-Z a-z 0-9 _ . : - (default: file for FILE and flush,\n"
	"         manual for add, any for del)\n"
	"  FILE   default " SR_DEFAULT_CONF "\n"
	"  SECS   0-3600: wait for each IFACE to exist, be up and route\n"
	"Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
	"  3 check found the kernel differs from FILE.\n";

int sr_wait_devices(struct v6_nl *nl, const struct sr_conf *conf, uint32_t wait_s)
{
	long long deadline = v6_mono_ms() + (long long)wait_s * 1000;
	struct v6_err err;

	for (size_t i = 0; i < conf->n; i++) {
		long long left = deadline - v6_mono_ms();
		int rc = v6_wait_link(nl, conf->v[i].dev, V6_LINK_UP, left > 0 ? (int)left : 0, &err);
		/* Name the user's budget, not what was left of it for this device. */
		if (rc == -ETIMEDOUT)
			v6_cli_error("%s: not up after --wait %u s", conf->v[i].dev, wait_s);
		else if (rc < 0)
			v6_cli_error("%s", err.msg);
		if (rc < 0)
			return V6_EXIT_RUNTIME;
	}
	return 0;
}

static const struct v6_verb verbs[] = {
	{ .name = "add", .run = sr_cmd_add,
	  .args = "FROM dev IFACE [via GW] [table { NAME | ID }] [prio N] [fallthrough] [owner OWNER] [--wait SECS]",
	  .summary = "route traffic from FROM through its own table" },
	{ .name = "del", .run = sr_cmd_del, .args = "FROM [owner OWNER]",
	  .summary = "remove the rule for FROM and its table's routes when unused" },
	{ .name = "show", .run = sr_cmd_show, .args = "[dev IFACE] [owner { OWNER | all }]",
	  .summary = "list the sources this tool routes" },
	{ .name = "apply", .run = sr_cmd_apply,
	  .args = "[-f FILE] [owner OWNER] [--dry-run] [--wait SECS]", .valued = "f",
	  .summary = "make the kernel match FILE" },
	{ .name = "check", .run = sr_cmd_check, .args = "[-f FILE] [owner OWNER]", .valued = "f",
	  .summary = "exit 3 when the kernel differs from FILE" },
	{ .name = "flush", .run = sr_cmd_flush, .args = "[owner { OWNER | all }]",
	  .summary = "remove every rule, route and table entry of an owner" },
	{ .name = NULL },
};

static const struct v6_tool tool = {
	.name = "srcroute",
	.summary = "Source routing: one routing table per uplink, one rule per source address.",
	.verbs = verbs,
	.options = "  -4, -6             show, flush: only IPv4 or IPv6\n",
	.footer = "Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
		  "  3 check found the kernel differs from FILE.\n",
	.families = true,
};

int main(int argc, char **argv)
{
	return v6_cli_run(argc, argv, &tool);
}
