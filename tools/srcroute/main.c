/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srcroute: one routing table per uplink, one rule per source address. */
#include "srcroute.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int sr_wait_devices(const struct v6_cli *cli, struct v6_nl *nl, const struct sr_conf *conf,
		    uint32_t wait_s)
{
	long long deadline = v6_mono_ms() + (long long)wait_s * 1000;
	struct v6_err err;

	for (size_t i = 0; i < conf->n; i++) {
		const char *dev = conf->v[i].dev;
		size_t k;
		/* A file names few devices, however many sources: each once. */
		for (k = 0; k < i && strcmp(conf->v[k].dev, dev); k++)
			;
		if (k < i)
			continue;
		long long left = deadline - v6_mono_ms();
		v6_cli_verbose(cli, "waiting up to %lld s for %s to be up with a route",
			       left > 0 ? (left + 999) / 1000 : 0, dev);
		int rc = v6_wait_link(nl, dev, V6_LINK_UP, left > 0 ? (int)left : 0, &err);
		/* Name the user's budget, not what was left of it for this device. */
		if (rc == -ETIMEDOUT)
			v6_cli_error("%s: not up after --wait %u s", dev, wait_s);
		else if (rc < 0)
			v6_cli_error("%s", err.msg);
		if (rc < 0)
			return V6_EXIT_RUNTIME;
	}
	return 0;
}

int sr_parse_wait(const struct v6_cli *cli, const char *arg, uint32_t *wait_s)
{
	struct v6_err err;

	if (v6_parse_u32(arg, 0, 3600, wait_s, "wait", &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	return 0;
}

int sr_take_owner(const struct v6_cli *cli, int *argc, char **argv, bool allow_all,
		  const char **owner)
{
	struct v6_err err;

	if (*argc >= 1 && !strcmp(argv[*argc - 1], "owner"))
		return v6_cli_usage(cli, "'owner' needs a value");
	if (*argc < 2 || strcmp(argv[*argc - 2], "owner"))
		return 0;
	if (sr_parse_owner(argv[*argc - 1], allow_all, &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	*owner = argv[*argc - 1];
	*argc -= 2;
	return 0;
}

int sr_unexpected(const struct v6_cli *cli, const char *word)
{
	if (word[0] == '-' && word[1])
		return v6_cli_usage(cli, "unknown option '%s'", word);
	return v6_cli_usage(cli, "unexpected word '%s'", word);
}

/* The outcome of a changing verb: the plan's commands (in text only when
 * list, behind mark) and their count under key.  One object for every
 * outcome, so a script reads the same keys whatever happened. */
void sr_report(const struct v6_cli *cli, const struct sr_plan *plan, const char *key, bool dry,
	       bool list, const char *mark)
{
	struct v6_emit e;

	v6_cli_emit_init(cli, &e);
	if (!v6_emit_json(&e)) {
		if (list)
			sr_plan_print(plan, stdout, mark);
		printf("%zu %s%s\n", plan->n, key, dry ? " (dry run)" : "");
		fflush(stdout);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	if (m) {
		sr_plan_print(plan, m, "");
		fclose(m);
	}
	v6_emit_object_open(&e, NULL);
	v6_emit_u64(&e, key, NULL, plan->n);
	v6_emit_bool(&e, "dry_run", NULL, dry);
	v6_emit_array_open(&e, "commands");
	for (char *line = text, *nl; line && *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			break;
		*nl = '\0';
		v6_emit_str(&e, NULL, NULL, line);
	}
	v6_emit_array_close(&e);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	free(text);
}

#define W_FROM "  FROM   an IPv4 or IPv6 address or prefix\n"
#define W_IFACE "  IFACE  the device FROM's traffic leaves through\n"
#define W_OWNER(dflt) "  OWNER  1-32 of A-Z a-z 0-9 _ . : - (default: " dflt ")\n"
#define W_FILE "  FILE   entries in the words of add, one a line (default:\n" \
	       "         " SR_DEFAULT_CONF ")\n"
#define W_SECS(what) "  SECS   0-3600: wait in all for " what " to exist, be up and route\n"

static const struct v6_verb verbs[] = {
	{ .name = "add", .root = true, .run = sr_cmd_add,
	  .args = "FROM dev IFACE [via GW] [table { NAME | ID }] [prio N] [fallthrough] [owner OWNER] [--wait SECS]",
	  .summary = "route traffic from FROM through its own table",
	  .details = "Where:\n" W_FROM W_IFACE
		     "  GW     a gateway of the same family as FROM (default: on-link through IFACE)\n"
		     "  NAME   a table name from rt_tables (default: named after IFACE)\n"
		     "  ID     a table number 1-4294967295\n"
		     "  N      rule priority 1-32765 (default: 5000 plus the host bits of FROM)\n"
		     "  fallthrough  leave the table open: FROM uses main while the table\n"
		     "         has no default route (default: unreachable, fail closed)\n"
		     W_OWNER("manual") W_SECS("IFACE") },
	{ .name = "del", .root = true, .run = sr_cmd_del, .args = "FROM [owner OWNER]",
	  .summary = "remove the rule for FROM and its table's routes when unused",
	  .details = "Where:\n" W_FROM W_OWNER("any") },
	{ .name = "show", .run = sr_cmd_show, .args = "[dev IFACE] [owner { OWNER | all }]",
	  .summary = "list the sources this tool routes",
	  .details = "Where:\n"
		     "  IFACE  only the entries whose table routes through IFACE\n"
		     "  OWNER  only that owner's entries (default: all)\n" },
	{ .name = "apply", .root = true, .run = sr_cmd_apply,
	  .args = "[-f FILE] [owner OWNER] [--dry-run] [--wait SECS]", .valued = "f",
	  .summary = "make the kernel match FILE",
	  .details = "Where:\n" W_FILE W_OWNER("file")
		     "  --dry-run  print the plan as ip commands and change nothing\n"
		     W_SECS("each device of FILE") },
	{ .name = "check", .run = sr_cmd_check, .args = "[-f FILE] [owner OWNER]", .valued = "f",
	  .summary = "exit 3 when the kernel differs from FILE",
	  .details = "Where:\n" W_FILE W_OWNER("file") },
	{ .name = "flush", .root = true, .run = sr_cmd_flush, .args = "[owner { OWNER | all }]",
	  .summary = "remove every rule, route and table entry of an owner",
	  .details = "Where:\n" W_OWNER("file") "  all    every owner's\n" },
	{ .name = NULL },
};

static const struct v6_tool tool = {
	.name = "srcroute",
	.summary = "Source routing: one routing table per uplink, one rule per source address.",
	.verbs = verbs,
	.options = "  -4, -6             act on IPv4 or IPv6 entries only\n",
	.footer = "Exit status: 0 ok, 1 usage or bad input, 2 runtime or kernel failure,\n"
		  "  3 check found the kernel differs from FILE.\n",
	.families = true,
};

int main(int argc, char **argv)
{
	return v6_cli_run(argc, argv, &tool);
}
