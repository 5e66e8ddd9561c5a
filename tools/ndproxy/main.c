/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndproxy: answer Neighbor Solicitations on an upstream link for hosts
 * that live behind this router. */
#define _GNU_SOURCE
#include "cli.h"
#include "daemon.h"
#include "service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* -N NAME before the command; `status -N NAME` overrides it. */
static const char *instance_before;

static int status_run(struct v6_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *instance = instance_before;
	struct v6_err err;
	char path[300];
	int c;

	/* -j, -p and -v are global options, already taken out. */
	while ((c = getopt_long(argc, argv, ":PN:", opts, NULL)) != -1) {
		if (c == 'P') /* the older spelling of -p */
			cli->json = cli->pretty = true;
		else if (c == 'N')
			instance = optarg;
		else
			return v6_cli_bad_option(cli, c, argv);
	}
	if (optind < argc)
		return v6_cli_usage(cli, "unexpected argument '%s'", argv[optind]);
	if (instance && ndp_instance_check(instance, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (ndp_instance_path(path, sizeof(path), cli->netns, instance, "sock") < 0) {
		v6_cli_error("run directory path too long: '%s'", v6_rundir());
		return V6_EXIT_USAGE;
	}
	v6_cli_verbose(cli, "asking the control socket %s", path);
	return ndp_status_main(path, cli->json, cli->pretty);
}

static const struct v6_verb verbs[] = {
	{ .name = "status", .run = status_run, .args = "[-j] [-p] [-N NAME]", .valued = "N",
	  .summary = "the running daemon's proxies, rules, interfaces, cache and counters",
	  .details = "  -j       JSON\n"
		     "  -p       indented JSON (-P, the older spelling, too)\n"
		     "  -N NAME  the instance NAME (also -N or --instance before the command)\n"
		     "  -v       say which control socket is asked\n" },
	{ .name = NULL },
};

/* The daemon has no command: its two forms go where `help` prints the
 * summary, under the usage lines, and its options in the footer. */
static const struct v6_tool tool = {
	.name = "ndproxy",
	.summary =
		"       ndproxy [-c FILE] [-d] [-v] [-p PIDFILE] [-n NETNS] [-N NAME] [-t]\n"
		"       ndproxy -i UPSTREAM -r PREFIX [-r PREFIX]... [-s | -I DOWNSTREAM | -a]\n"
		"               [-d] [-v] [-p PIDFILE] [-n NETNS] [-N NAME] [-t]\n"
		"Neighbor Discovery proxy, the successor to ndppd: without a COMMAND, the daemon.",
	.verbs = verbs,
	.options = "  -N, --instance NAME  the daemon instance NAME, with its own control socket,\n"
		   "                       pidfile and lock (1-32 of A-Z a-z 0-9 _ . : -)\n",
	.footer =
		"-p before a command is the PIDFILE (ndppd); after 'status' it is pretty JSON.\n"
		"Daemon options (no COMMAND):\n"
		"  -c FILE        configuration in ndppd.conf syntax\n"
		"                 (default " NDP_DEFAULT_CONF ")\n"
		"  -d             run in the background, logging to syslog\n"
		"  -p PIDFILE     write the daemon's pid there (with -d, default\n"
		"                 $V6KIT_RUNDIR/ndproxy[.NETNS][@NAME].pid)\n"
		"  -t             check the configuration and its user, print\n"
		"                 \"configuration OK\" and exit\n"
		"  -v             more log messages; -vv: every dropped packet too\n"
		"  -i UPSTREAM    instead of a file: the link whose neighbours ask (the modem)\n"
		"  -r PREFIX      addresses to answer for there, e.g. 2001:db8:1::/64\n"
		"  -s             answer at once (static, the default)\n"
		"  -I DOWNSTREAM  answer once the target answered on DOWNSTREAM (iface)\n"
		"  -a             as -I, on the interface of the kernel's route to the target\n"
		"                 (auto)\n"
		"Exit status: 0 ok, 1 usage or bad configuration (an unreadable file too),\n"
		"  2 runtime failure.\n",
};

/* The daemon changes directory to /: a relative path from the command
 * line would point elsewhere at the next reload. */
static char *absolute(const char *path)
{
	char cwd[4096], *out;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&out, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) < 0)
		return NULL;
	return out;
}

/* -t: what the daemon would need before it serves anyone. */
static int check_main(struct ndp_conf *conf)
{
	struct v6_err err;
	uid_t uid;
	gid_t gid;
	const char *chosen;
	bool fell_back;

	for (size_t i = 0; i < conf->nwarn; i++)
		v6_cli_error("warning: %s", conf->warn[i]);
	if (v6_service_user(conf->user, &uid, &gid, &chosen, &fell_back, &err) < 0) {
		char shown[sizeof(err.msg)];
		ndp_vis(shown, sizeof(shown), err.msg);
		v6_cli_error("%s", shown);
		ndp_conf_free(conf);
		return V6_EXIT_USAGE;
	}
	puts("configuration OK");
	ndp_conf_free(conf);
	return V6_EXIT_OK;
}

/* Is getopt's c one of the letters in set (never a long-only option)? */
static bool one_of(int c, const char *set)
{
	return c > 0 && c <= 0x7f && strchr(set, c);
}

/* The words before a command (or the daemon's whole command line): ndppd's
 * options, -N, and the global -n, -j and -v.  -p is ndppd's PIDFILE here,
 * so pretty JSON is --pretty or `status -p`. */
int main(int argc, char **argv)
{
	enum { OPT_PRETTY = 256 };
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, 'N' },
		{ "netns", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, OPT_PRETTY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *pidfile = NULL, *upstream = NULL, *down = NULL;
	const char *instance = NULL, *json_word = NULL;
	char *abs_conf = NULL, *abs_pid = NULL;
	char daemon_opt = 0, method_opt[2] = { 0 };
	enum ndp_method method = NDP_STATIC;
	int c, methods = 0;
	bool detach = false, check = false;
	char **prefixes = calloc((size_t)argc + 1, sizeof(char *));
	size_t nprefixes = 0;
	struct ndp_conf conf;
	struct v6_err err;
	struct v6_cli cli;
	int rc;

	v6_cli_begin(&cli, &tool);
	if (!prefixes)
		return V6_EXIT_RUNTIME;
	while ((c = getopt_long(argc, argv, "+:c:dvp:n:N:ti:r:sI:ajhV", opts, NULL)) != -1) {
		if (one_of(c, "cdptirsIa") && !daemon_opt)
			daemon_opt = (char)c;
		if (one_of(c, "sIa") && methods < 2)
			method_opt[methods] = (char)c;
		switch (c) {
		case 'c': file = optarg; break;
		case 'd': detach = true; break;
		case 'p': pidfile = optarg; break;
		case 't': check = true; break;
		case 'i': upstream = optarg; break;
		case 'r': prefixes[nprefixes++] = optarg; break;
		case 's': method = NDP_STATIC; methods++; break;
		case 'I': method = NDP_IFACE; down = optarg; methods++; break;
		case 'a': method = NDP_AUTO; methods++; break;
		case 'N': instance = optarg; break;
		case 'j': json_word = json_word ? json_word : "-j"; cli.json = true; break;
		case OPT_PRETTY:
			json_word = json_word ? json_word : "--pretty";
			cli.json = cli.pretty = true;
			break;
		case 'n':
		case 'v':
		case 'h':
		case 'V':
			v6_cli_option(&cli, c, optarg); /* -h and -V exit */
			break;
		default:
			free(prefixes);
			return v6_cli_bad_option(&cli, c, argv);
		}
	}
	if (optind < argc) {
		free(prefixes);
		if (daemon_opt && (!strcmp(argv[optind], "help") || v6_cli_find(&tool, argv[optind])))
			return v6_cli_usage(&cli, "daemon option '-%c' before command '%s'", daemon_opt,
					    argv[optind]);
		if (daemon_opt)
			return v6_cli_usage(&cli, "unexpected argument '%s'", argv[optind]);
		instance_before = instance;
		return v6_cli_dispatch(&cli, argc - optind, argv + optind);
	}
	if (json_word) {
		free(prefixes);
		return v6_cli_usage(&cli, "option '%s' is for 'status', not the daemon", json_word);
	}
	rc = 0;
	if (methods > 1)
		rc = v6_cli_usage(&cli, "option '-%c' after '-%c': one of -s, -I and -a", method_opt[1],
				  method_opt[0]);
	else if (file && upstream)
		rc = v6_cli_usage(&cli, "option '-i' with '-c': a file or a command line, not both");
	else if (!upstream && (nprefixes || methods))
		rc = v6_cli_usage(&cli, "option '-%c' needs -i UPSTREAM", nprefixes ? 'r' : method_opt[0]);
	if (rc) {
		free(prefixes);
		return rc;
	}
	if (instance && ndp_instance_check(instance, &err) < 0) {
		free(prefixes);
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (upstream)
		rc = ndp_conf_cmdline(upstream, prefixes, nprefixes, method, down, &conf, &err);
	else
		rc = ndp_conf_load(file ? file : NDP_DEFAULT_CONF, &conf, &err);
	free(prefixes);
	if (rc < 0) {
		char shown[sizeof(err.msg)];
		ndp_vis(shown, sizeof(shown), err.msg);
		v6_cli_error("%s", shown);
		return err.status;
	}
	if (check)
		return check_main(&conf);
	if ((!upstream && !(abs_conf = absolute(file ? file : NDP_DEFAULT_CONF))) ||
	    (pidfile && !(abs_pid = absolute(pidfile)))) {
		v6_cli_error("current directory: %s", strerror(errno));
		ndp_conf_free(&conf);
		return V6_EXIT_RUNTIME;
	}
	v6_cli_needs_root();
	struct ndp_opts o = { .conf_path = abs_conf, .netns = cli.netns, .instance = instance,
			      .pidfile = abs_pid, .detach = detach, .verbose = cli.verbose };
	rc = ndp_daemon_run(&conf, &o);
	free(abs_conf);
	free(abs_pid);
	return rc;
}
