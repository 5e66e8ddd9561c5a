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
	int rc = sr_run_job(nl, job, &plan, &err);

	if (rc < 0) {
		v6_cli_error("%s", err.msg);
		sr_plan_free(&plan);
		return v6_cli_status(rc);
	}
	if (!plan.n && nothing)
		v6_cli_error("%s", nothing);
	if (cli->verbose)
		sr_plan_print(&plan, stderr, "");
	sr_report(cli, &plan, "changes", false, false, "");
	sr_plan_free(&plan);
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

	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		if (c != 'w')
			return v6_cli_bad_option(cli, c, argv);
		if ((rc = sr_parse_wait(cli, optarg, &wait_s)))
			return rc;
		has_wait = true;
	}
	if (sr_parse_entry(argv + optind, argc - optind, &entry, &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	if (cli->family != AF_UNSPEC && entry.from.addr.family != cli->family)
		return v6_cli_usage(cli, "source is not of the family chosen with -4/-6: '%s'",
				    argv[optind]);
	if (!entry.owner[0])
		strcpy(entry.owner, SR_OWNER_MANUAL);
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	long long deadline = v6_mono_ms() + (long long)wait_s * 1000;
	if (has_wait && (rc = sr_wait_devices(cli, &nl, &conf, wait_s)))
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

	argc--;
	argv++;
	if ((rc = sr_take_owner(cli, &argc, argv, false, &owner)))
		return rc;
	for (int i = 0; i < argc; i++)
		if (i > 0 || argv[i][0] == '-')
			return sr_unexpected(cli, argv[i]);
	if (argc < 1)
		return v6_cli_usage(cli, "missing 'FROM'");
	if (v6_parse_prefix(argv[0], V6_PARSE_ANY, &from, "source", &err) < 0)
		return v6_cli_usage(cli, "%s", err.msg);
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	snprintf(nothing, sizeof(nothing), "no rule of %s%s%s for source '%s'; nothing to do",
		 owner ? "owner '" : "ours", owner ? owner : "", owner ? "'" : "", argv[0]);
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

	argc--;
	if ((rc = sr_take_owner(cli, &argc, argv + 1, true, &owner)))
		return rc;
	if (argc)
		return sr_unexpected(cli, argv[1]);
	if ((rc = v6_cli_open(cli, &nl)))
		return rc;
	struct sr_job job = { .scope = strcmp(owner, SR_OWNER_ALL) ? owner : NULL,
			      .family = cli->family, .remove = true };
	rc = run_job(cli, &nl, &job, NULL);
	v6_nl_close(&nl);
	return rc;
}
