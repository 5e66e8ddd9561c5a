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

static const char usage[] =
	"Usage: ndproxy [-c FILE] [-d] [-v...] [-p PIDFILE] [-n NETNS] [-N NAME] [-t]\n"
	"       ndproxy -i UPSTREAM -r PREFIX [-r PREFIX...] [-s | -I DOWNSTREAM | -a]\n"
	"               [-d] [-v...] [-p PIDFILE] [-n NETNS] [-N NAME] [-t]\n"
	"       ndproxy [-n NETNS] [-N NAME] status [-j [-P]] [-N NAME]\n"
	"       ndproxy -h | --help | -V | --version\n"
	"Where:\n"
	"  FILE        configuration in ndppd.conf syntax (default " NDP_DEFAULT_CONF ")\n"
	"  -d          run in the background, logging to syslog\n"
	"  -p PIDFILE  write the daemon's pid there (with -d, default\n"
	"              $V6KIT_RUNDIR/ndproxy[.NETNS][@NAME].pid)\n"
	"  -N, --instance NAME  one of several daemons, with its own control socket,\n"
	"              pidfile and lock; NAME is 1-32 of A-Z a-z 0-9 _ . : -\n"
	"  -t          check the configuration and its user, print \"configuration OK\", exit\n"
	"  UPSTREAM    the link whose neighbours ask (the modem side)\n"
	"  PREFIX      addresses to answer for, e.g. 2001:db8:1::/64\n"
	"  -s          answer at once (static, the default)\n"
	"  -I DOWNSTREAM  answer once the target answered on DOWNSTREAM (iface)\n"
	"  -a          as -I, with the interface of the kernel's route to the target (auto)\n"
	"  status      state of the running daemon; -j JSON, -P pretty JSON\n"
	"Exit status: 0 ok, 1 usage or bad configuration, 2 runtime failure.\n";

static int status_main(const char *netns, const char *instance, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "instance", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, pretty = false;
	struct v6_err err;
	char path[300];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+jPN:", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'P')
			json = pretty = true;
		else if (c == 'N')
			instance = optarg;
		else
			return v6_cli_usage_error(usage, NULL);
	}
	if (optind < argc)
		return v6_cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (instance && ndp_instance_check(instance, &err) < 0) {
		v6_cli_error("%s", err.msg);
		return V6_EXIT_USAGE;
	}
	if (ndp_instance_path(path, sizeof(path), netns, instance, "sock") < 0) {
		v6_cli_error("run directory path too long: '%s'", v6_rundir());
		return V6_EXIT_USAGE;
	}
	return ndp_status_main(path, json, pretty);
}

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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "instance", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL, *pidfile = NULL, *netns = NULL, *upstream = NULL, *down = NULL;
	const char *instance = NULL;
	char *abs_conf = NULL, *abs_pid = NULL;
	enum ndp_method method = NDP_STATIC;
	int c, verbose = 0, methods = 0;
	bool detach = false, check = false;
	char **prefixes = calloc((size_t)argc + 1, sizeof(char *));
	size_t nprefixes = 0;
	struct ndp_conf conf;
	struct v6_err err;
	struct v6_cli cli = { 0 };
	int rc;

	program_invocation_short_name = "ndproxy";
	if (!prefixes)
		return V6_EXIT_RUNTIME;
	while ((c = getopt_long(argc, argv, "+c:dvp:n:N:ti:r:sI:ahV", opts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 'd': detach = true; break;
		case 'v': verbose++; break;
		case 'p': pidfile = optarg; break;
		case 'n': netns = optarg; break;
		case 'N': instance = optarg; break;
		case 't': check = true; break;
		case 'i': upstream = optarg; break;
		case 'r': prefixes[nprefixes++] = optarg; break;
		case 's': method = NDP_STATIC; methods++; break;
		case 'I': method = NDP_IFACE; down = optarg; methods++; break;
		case 'a': method = NDP_AUTO; methods++; break;
		case 'h':
			fputs(usage, stdout);
			return V6_EXIT_OK;
		case 'V':
			v6_cli_option(&cli, c, optarg); /* exits */
			break;
		default:
			free(prefixes);
			return v6_cli_usage_error(usage, NULL);
		}
	}
	if (optind < argc) {
		if (!strcmp(argv[optind], "status") && !file && !upstream && !nprefixes &&
		    !detach && !pidfile && !check) {
			rc = status_main(netns, instance, argc - optind, argv + optind);
			free(prefixes);
			return rc;
		}
		free(prefixes);
		return v6_cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	}
	if (methods > 1 || (file && (upstream || nprefixes || methods)) ||
	    (!upstream && (nprefixes || methods))) {
		free(prefixes);
		return v6_cli_usage_error(usage, "use either -c FILE or -i UPSTREAM -r PREFIX "
						 "with one of -s, -I, -a");
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
	struct ndp_opts o = { .conf_path = abs_conf, .netns = netns, .instance = instance,
			      .pidfile = abs_pid, .detach = detach, .verbose = verbose };
	rc = ndp_daemon_run(&conf, &o);
	free(abs_conf);
	free(abs_pid);
	return rc;
}
