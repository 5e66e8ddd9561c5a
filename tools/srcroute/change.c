/* add, del, flush: small changes, each one transaction. */
#include "srcroute.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Execute plan and report; shared tail of add, del and flush. */
static int run_plan(struct v6_cli *cli, struct v6_nl *nl, const struct sr_conf *conf,
		    struct sr_plan *plan)
{
	struct v6_err err;
	struct v6_emit e;

	if (sr_plan_exec(nl, conf, plan, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	if (cli->verbose)
		sr_plan_print(plan, stderr, "");
	v6_cli_emit_init(cli, &e);
	v6_emit_object_open(&e, NULL);
	v6_emit_u64(&e, "changes", "%" PRIu64 " changes\n", plan->n);
	v6_emit_object_close(&e);
	v6_emit_end(&e);
	return 0;
}

static int read_state(struct v6_cli *cli, struct v6_nl *nl, int family, struct sr_state *st)
{
	struct v6_err err;
	int rc = v6_cli_open(cli, nl);

	if (rc)
		return rc;
	if (sr_state_read(nl, family, st, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	return 0;
}

int sr_cmd_add(struct v6_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "wait", required_argument, NULL, 'w' },
					      { NULL, 0, NULL, 0 } };
	struct sr_entry entry = { 0 };
	struct sr_conf conf = { .v = &entry, .n = 1 };
	struct sr_plan plan = { 0 };
	struct sr_state st = { 0 };
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
	if ((rc = read_state(cli, &nl, entry.from.addr.family, &st)))
		goto out;
	if (has_wait && (rc = sr_wait_devices(&nl, &conf, wait_s)))
		goto out;
	if ((rc = sr_plan_build(&nl, &conf, &st, entry.from.addr.family, 0, &plan, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = v6_cli_status(rc);
		goto out;
	}
	rc = run_plan(cli, &nl, &conf, &plan);
out:
	sr_plan_free(&plan);
	sr_state_free(&st);
	v6_nl_close(&nl);
	return rc;
}

int sr_cmd_del(struct v6_cli *cli, int argc, char **argv)
{
	struct v6_prefix from;
	struct sr_plan plan = { 0 };
	struct sr_state st = { 0 };
	struct v6_nl nl = { 0 };
	struct v6_err err;
	int rc;

	if (argc != 2)
		return v6_cli_usage_error(sr_usage, "del: expected exactly one source");
	if (v6_parse_prefix(argv[1], V6_PARSE_ANY, &from, "source", &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if ((rc = read_state(cli, &nl, from.addr.family, &st)))
		goto out;
	if ((rc = v6_rtnames_load(&plan.names, v6_iproute2_dir(), &err)) < 0 ||
	    (rc = sr_plan_remove(&st, &from, &plan, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
		goto out;
	}
	if (!plan.n)
		v6_cli_notice("no rule of ours for source '%s'; nothing to do", argv[1]);
	rc = run_plan(cli, &nl, NULL, &plan);
out:
	sr_plan_free(&plan);
	sr_state_free(&st);
	v6_nl_close(&nl);
	return rc;
}

int sr_cmd_flush(struct v6_cli *cli, int argc, char **argv)
{
	struct sr_plan plan = { 0 };
	struct sr_state st = { 0 };
	struct v6_nl nl = { 0 };
	struct v6_err err;
	int rc;

	if (argc != 1)
		return v6_cli_usage_error(sr_usage, "flush: unexpected word '%s'", argv[1]);
	if ((rc = read_state(cli, &nl, cli->family, &st)))
		goto out;
	if ((rc = v6_rtnames_load(&plan.names, v6_iproute2_dir(), &err)) < 0 ||
	    (rc = sr_plan_remove(&st, NULL, &plan, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = V6_EXIT_RUNTIME;
		goto out;
	}
	rc = run_plan(cli, &nl, NULL, &plan);
out:
	sr_plan_free(&plan);
	sr_state_free(&st);
	v6_nl_close(&nl);
	return rc;
}
