/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `restart`: down and up again from the tunnel's config file, but only
 * when the restart guard allows another start.  The guard is asked first:
 * a refused restart leaves a running tunnel running (a refusal inside
 * `up`, after `down`, would leave it down until the budget refills). */
#define _GNU_SOURCE
#include "tun6in4.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct restart_opts {
	const char *name, *file, *wait;
	bool force, dry_run;
};

static int parse_args(const struct v6_cli *cli, int argc, char **argv, struct restart_opts *o)
{
	struct v6_err err;
	uint32_t secs;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "--force")) {
			o->force = true;
		} else if (!strcmp(w, "--dry-run")) {
			o->dry_run = true;
		} else if (!strcmp(w, "--wait") || !strcmp(w, "-f")) {
			if (i + 1 >= argc)
				return v6_cli_usage(cli, "option '%s' needs a value", w);
			const char *val = argv[++i];
			if (w[1] == 'f') {
				if (o->file)
					return v6_cli_usage(cli, "-f given twice: '%s'", val);
				o->file = val;
			} else if (v6_parse_u32(val, 0, 3600, &secs, "--wait", &err) < 0) {
				return v6_cli_usage(cli, "%s", err.msg);
			} else {
				o->wait = val;
			}
		} else if (!o->name && w[0] != '-') {
			if (v6_parse_ifname(w, "tunnel name", &err) < 0) {
				v6_cli_error("%s", err.msg);
				return V6_EXIT_USAGE;
			}
			o->name = w;
		} else if (w[0] == '-' && w[1]) {
			return v6_cli_usage(cli, "unknown option '%s'", w);
		} else {
			return v6_cli_usage(cli, "unexpected '%s' after NAME", w);
		}
	}
	if (o->name && o->file)
		return v6_cli_usage(cli, "NAME '%s' and -f FILE exclude each other", o->name);
	if (!o->name && !o->file)
		return v6_cli_usage(cli, "missing NAME or -f FILE");
	return 0;
}

int t64_conf_from_file(const char *name, const char *file, struct t64_conf *c)
{
	struct v6_err err;
	char path[4096];

	if (!file) {
		t64_conf_path(name, path, sizeof(path));
		file = path;
	}
	if (t64_conf_load_named(c, file, name, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (t64_conf_check(c, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	return 0;
}

/* 0 when one more start fits into max-starts, else the exit status 75
 * with the one-line reason; a dry run says what it found either way. */
static int ask_guard(const struct t64_conf *c, bool force, bool dry_run)
{
	struct v6_err err;
	unsigned count;
	long long wait;
	int room = t64_starts_room(c, &count, &wait, &err);

	if (room < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_RUNTIME;
	}
	if (room || force) {
		if (dry_run)
			printf("%s: restart allowed: %u of %u starts used in the last %u s\n",
			       c->name, count, c->max_starts, c->max_starts_secs);
		return 0;
	}
	v6_cli_error("%s: restart budget spent, may retry in %lld s (%u starts in the last %u s,"
		     " max-starts %u/%u; --force overrides)", c->name, wait, count,
		     c->max_starts_secs, c->max_starts, c->max_starts_secs);
	return T64_EXIT_TOO_MANY_STARTS;
}

int t64_cmd_restart(struct v6_cli *cli, int argc, char **argv)
{
	struct restart_opts o = { 0 };
	struct t64_conf c;
	int rc;

	if ((rc = parse_args(cli, argc, argv, &o)) != 0 ||
	    (rc = t64_conf_from_file(o.name, o.file, &c)) != 0)
		return rc;
	/* The guard's history is kept per network namespace. */
	if ((rc = v6_cli_enter_netns(cli)) != 0)
		return rc;
	if ((rc = ask_guard(&c, o.force, o.dry_run)) != 0 || o.dry_run)
		return rc;
	char *down[] = { "down", c.name, NULL };
	if ((rc = t64_cmd_down(cli, 2, down)) != 0)
		return rc;
	/* up reads the same file and asks the guard again; nothing was
	 * started in between, so it answers the same unless forced. */
	char *up[8];
	int n = 0;
	up[n++] = "up";
	if (o.file) {
		up[n++] = "-f";
		up[n++] = (char *)o.file;
	} else {
		up[n++] = c.name;
	}
	if (o.wait) {
		up[n++] = "--wait";
		up[n++] = (char *)o.wait;
	}
	if (o.force)
		up[n++] = "--force";
	up[n] = NULL;
	return t64_cmd_up(cli, n, up);
}
