/* SPDX-License-Identifier: GPL-2.0-or-later */
/* add, del, flush: small changes, each one transaction. */
#include "srcroute.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Run the job and report; shared tail of add, del and flush. */
static int run_job(struct v6_cli *cli, struct v6_nl *nl, const struct sr_job *job,
		   const char *nothing)
{
	struct sr_plan plan = { 0 };
	struct v6_err err;
	struct v6_emit e;
	int rc = sr_run_job(nl, job, &plan, &err);

	if (rc < 0) {
		v6_cli_error("%s", err.msg);
		sr_plan_free(&plan);
		return v6_cli_status(rc);
	}
	if (!plan.n && nothing)
		v6_cli_notice("%s", nothing);
	if (cli->verbose)
		sr_plan_print(&plan, stderr, "");
	v6_cli_emit_init(cli, &e);
	v6_emit_object_open(&e, NULL);
	v6_emit_u64(&e, "changes", "%" PRIu64 " changes\n", plan.n);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	sr_plan_free(&plan);
	return 0;
}

/* "owner NAME" as the last two words, if there; allow_all for flush. */
static int take_owner(int *argc, char **argv, bool allow_all, const char **owner)
{
	struct v6_err err;

	if (*argc >= 2 && !strcmp(argv[*argc - 1], "owner")) {
		v6_cli_error("'owner' needs a value");
		return V6_EXIT_USAGE;
	}
	if (*argc < 3 || strcmp(argv[*argc - 2], "owner"))
		return 0;
	if (sr_parse_owner(argv[*argc - 1], allow_all, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	*owner = argv[*argc - 1];
	*argc -= 2;
	return 0;
}

int sr_cmd_add(struct v6_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "wait", required_argument, NULL, 'w' },
					      { NULL, 0, NULL, 0 } };
	struct sr_entry entry = { 0 };
	struct sr_conf conf = { .v = &entry, .n = 1 };
	struct v6_nl nl = { 0 };
	struct v6_err err;
	uint32_t wait_s = 0;
	bool has_wait = false;
	int c, rc;

	optind = 0; /* 0 re-initialises glibc getopt, which main left in "+" mode */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'w')
			return v6_cli_usage_error(sr_usage, NULL);
		if (v6_parse_u32(optarg, 0, 3600, &wait_s, "wait", &err) < 0) {
			v6_cli_error("%s", err.msg);
			return V6_EXIT_USAGE;
		}
		has_wait = true;
	}
	if (sr_parse_entry(argv + optind, argc - optind, &entry, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (cli->family != AF_UNSPEC && entry.from.addr.family != cli->family) {
		v6_cli_error("source is not of the family chosen with -4/-6: '%s'", argv[optind]);
		return V6_EXIT_USAGE;
	}
	if (!entry.owner[0])
		strcpy(entry.owner, SR_OWNER_MANUAL);
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	long long deadline = v6_mono_ms() + (long long)wait_s * 1000;
	if (has_wait && (rc = sr_wait_devices(&nl, &conf, wait_s)))
		goto out;
	struct sr_job job = { .conf = &conf, .scope = entry.owner,
			      .family = entry.from.addr.family,
			      .wait_until = has_wait ? deadline : 0 };
	rc = run_job(cli, &nl, &job, NULL);
out:
	v6_nl_close(&nl);
	return rc;
}

int sr_cmd_del(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_prefix from;
	struct v6_nl nl = { 0 };
	struct v6_err err;
	const char *owner = NULL;
	char nothing[200];
	int rc;

	if ((rc = take_owner(&argc, argv, false, &owner)))
		return rc;
	if (argc != 2)
		return v6_cli_usage_error(sr_usage, "del: expected exactly one source and an optional 'owner OWNER'");
	if (v6_parse_prefix(argv[1], V6_PARSE_ANY, &from, "source", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	snprintf(nothing, sizeof(nothing), "no rule of %s%s%s for source '%s'; nothing to do",
		 owner ? "owner '" : "ours", owner ? owner : "", owner ? "'" : "", argv[1]);
	struct sr_job job = { .scope = owner, .family = from.addr.family, .remove = true,
			      .from = &from };
	rc = run_job(cli, &nl, &job, nothing);
	v6_nl_close(&nl);
	return rc;
}

int sr_cmd_flush(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_nl nl = { 0 };
	const char *owner = SR_OWNER_FILE;
	int rc;

	if ((rc = take_owner(&argc, argv, true, &owner)))
		return rc;
	if (argc != 1)
		return v6_cli_usage_error(sr_usage, "flush: unexpected word '%s'", argv[1]);
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	struct sr_job job = { .scope = strcmp(owner, SR_OWNER_ALL) ? owner : NULL,
			      .family = cli->family, .remove = true };
	rc = run_job(cli, &nl, &job, NULL);
	v6_nl_close(&nl);
	return rc;
}
