/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apply and check: make the kernel match a file, or say how it differs. */
#include "srcroute.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netlink/socket.h>

struct apply_opts {
	const char *file;
	const char *owner;
	bool dry_run;
	bool has_wait;
	uint32_t wait_s;
};

static int parse_opts(const struct v6_cli *cli, int argc, char **argv, bool is_apply,
		      struct apply_opts *o)
{
	static const struct option apply_opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'D' },
		{ "wait", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	/* check takes neither --dry-run nor --wait: getopt names them. */
	static const struct option check_opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	o->file = SR_DEFAULT_CONF;
	o->owner = SR_OWNER_FILE;
	while ((c = getopt_long(argc, argv, ":f:", is_apply ? apply_opts : check_opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'f': o->file = optarg; break;
		case 'D': o->dry_run = true; break;
		case 'w':
			if ((rc = sr_parse_wait(cli, optarg, &o->wait_s)))
				return rc;
			o->has_wait = true;
			break;
		default: return v6_cli_bad_option(cli, c, argv);
		}
	}
	/* The file's entries belong to "file" unless `owner OWNER` says whose;
	 * getopt moved every option before the words. */
	argc -= optind;
	argv += optind;
	if (argc && (rc = sr_take_owner(cli, &argc, argv, false, &o->owner)))
		return rc;
	if (argc)
		return sr_unexpected(cli, argv[0]);
	return 0;
}

/* Load, wait, then read, plan and (unless dry) execute under the lock:
 * shared by apply and check.  When the stamp of the last run still holds,
 * the plan is empty and the file is not even read into memory or parsed.
 * The file is opened before anything else, so that a missing one is
 * reported first (exit 1) as ever. */
static int prepare(struct v6_cli *cli, const struct apply_opts *o, struct v6_nl *nl,
		   struct sr_conf *conf, struct sr_plan *plan, bool dry, bool stamp)
{
	struct v6_err err;
	char *text = NULL;
	size_t len;
	int fd = stamp && !o->has_wait ? open(o->file, O_RDONLY | O_CLOEXEC) : -1, rc;

	if (fd >= 0) {
		if ((rc = v6_cli_open(cli, nl)))
			goto out;
		sr_run_dir_socket(nl_socket_get_fd(nl->sk));
		if (sr_stamp_fresh(nl, fd, o->owner, cli->family)) {
			v6_cli_verbose(cli, "%s and the kernel are as the last run left them",
				       o->file);
			goto out; /* rc 0, empty plan */
		}
	}
	if ((rc = sr_conf_read(o->file, &text, &len, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = err.status;
		goto out;
	}
	if (!nl->sk && (rc = v6_cli_open(cli, nl)))
		goto out;
	if (sr_conf_parse(text, len, o->file, conf, &err) < 0) {
		v6_cli_error("%s", err.msg);
		rc = err.status;
		goto out;
	}
	long long deadline = v6_mono_ms() + (long long)o->wait_s * 1000;
	if (o->has_wait && (rc = sr_wait_devices(cli, nl, conf, o->wait_s)))
		goto out;
	uint64_t after = 0;
	struct sr_job job = { .conf = conf, .scope = o->owner, .family = cli->family,
			      .flags = SR_PLAN_PRUNE, .dry_run = dry,
			      .wait_until = o->has_wait ? deadline : 0, .after = &after };
	if ((rc = sr_run_job(nl, &job, plan, &err)) < 0) {
		v6_cli_error("%s", err.msg);
		rc = v6_cli_status(rc);
		goto out;
	}
	/* The kernel now matches the file: remember that for the next run. */
	if (stamp && (!dry || plan->n == 0))
		sr_stamp_write(nl, text, len, o->owner, cli->family, conf, after);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

int sr_cmd_apply(struct v6_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct v6_nl nl = { 0 };
	struct sr_conf conf = { 0 };
	struct sr_plan plan = { 0 };
	int rc = parse_opts(cli, argc, argv, true, &o);

	if (rc)
		return rc;
	if ((rc = prepare(cli, &o, &nl, &conf, &plan, o.dry_run, !o.dry_run)))
		goto out;
	sr_report(cli, &plan, "changes", o.dry_run, o.dry_run || cli->verbose, "");
	rc = 0;
out:
	sr_plan_free(&plan);
	sr_conf_free(&conf);
	v6_nl_close(&nl);
	return rc;
}

int sr_cmd_check(struct v6_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct v6_nl nl = { 0 };
	struct sr_conf conf = { 0 };
	struct sr_plan plan = { 0 };
	int rc = parse_opts(cli, argc, argv, false, &o);

	if (rc)
		return rc;
	if ((rc = prepare(cli, &o, &nl, &conf, &plan, true, true)))
		goto out;
	sr_report(cli, &plan, "differences", false, true, "");
	rc = plan.n ? SR_EXIT_DRIFT : 0;
out:
	sr_plan_free(&plan);
	sr_conf_free(&conf);
	v6_nl_close(&nl);
	return rc;
}
